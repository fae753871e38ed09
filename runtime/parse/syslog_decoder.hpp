#pragma once
// Decodes one syslog record (a datagram, a framed TCP record or a line of a file under /var/log):
// RFC 5424, RFC 3164 as senders really write it, and the PRI-less form of syslog files.
#include <string_view>

#include "runtime/model/event.hpp"
#include "runtime/parse/decode_options.hpp"
#include "runtime/parse/rejection.hpp"

namespace seerflow::parse {

// Returns false with `why` filled and `ev` untouched, or true with ev.time_ns/time_from_log,
// facility, severity, host, app, procid, msgid, message and fields set (absent ones cleared;
// time_ns left alone when the record has no time, see notes). Never touches seq, source, peer,
// arrival_ns. Reasons: empty, oversized, binary, invalid_utf8, bad_pri, bad_version, bad_header,
// bad_structured_data.
//
// RFC 5424 ("<PRI>1 ..."): NILVALUE fields become empty; STRUCTURED-DATA parameters become
// fields "sdid.param" (an element without parameters gives "sdid" with an empty value); a UTF-8
// BOM before MSG is dropped. Fractions of up to 9 digits are accepted (the RFC says 6).
// RFC 3164 ("<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG", or an ISO 8601 "T" timestamp as rsyslog
// writes it; HOST may be absent as on local sockets; PRI may be absent as in files): the year is
// inferred from opts.time. A TAG is recognised when it ends in ':' or "[pid]" (optionally then
// ':'); otherwise the text after HOST is all message. With a PRI but no timestamp the rest is the
// message (notes.time_missing, RFC 3164 §4.3.2), and a timestamp followed by ':' instead of SP
// (Cisco IOS) gives the time with the rest as message; with neither PRI nor header the record is
// decoded as a plain line (notes.header_missing; time and severity as decode_raw finds them).
bool decode_syslog(std::string_view record, const decode_options& opts, model::event& ev,
                   rejection& why, decode_notes& notes);

}  // namespace seerflow::parse
