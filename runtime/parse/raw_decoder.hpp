#pragma once
// Decodes a line of a plain-text log (an application log file, stdin): the whole line is the
// message; a timestamp at its start gives the event time and a level word near it the severity.
#include <string_view>

#include "runtime/model/event.hpp"
#include "runtime/parse/decode_options.hpp"
#include "runtime/parse/rejection.hpp"
#include "runtime/parse/time_context.hpp"

namespace seerflow::parse {

// Returns false with `why` filled (empty, oversized, binary, invalid_utf8) and `ev` untouched,
// or true with ev.time_ns/time_from_log (only when a leading timestamp was found; otherwise
// notes.time_missing), severity, message filled and facility, host, app, procid, msgid, fields
// cleared. Never touches seq, source, peer, arrival_ns.
bool decode_raw(std::string_view line, const decode_options& opts, model::event& ev, rejection& why,
                decode_notes& notes);

// The filling step of decode_raw for text that has passed the record checks; decode_syslog uses
// it for records without a syslog header.
void fill_plain_event(std::string_view text, const time_context& time, model::event& ev,
                      decode_notes& notes);

}  // namespace seerflow::parse
