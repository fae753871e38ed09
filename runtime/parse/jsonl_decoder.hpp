#pragma once
// Decodes one line of JSON lines input (structured application logs, log shippers' output): the
// well-known members give message, time, host, app, pid and severity; all others become fields.
#include <string_view>

#include "runtime/model/event.hpp"
#include "runtime/parse/decode_options.hpp"
#include "runtime/parse/rejection.hpp"

namespace seerflow::parse {

// The line must hold one JSON object. Nested objects are flattened with dots ({"host":{"name":
// "a"}} is "host.name"), so both nested and dotted spellings are found. In priority order:
//   message   message, msg, log, body, text (a string, number or boolean)
//   time      @timestamp, timestamp, time, ts: a string in any parse_leading_timestamp format
//             covering the whole string, or a number of epoch s/ms/us/ns by magnitude
//             (< 1e11 s, < 1e14 ms, < 1e17 us, else ns) between 1970 and 2100
//   host      host, hostname, host.name       app  app, program, appname, service,
//   procid    pid                                  service.name, logger
//   severity  severity, level, log.level: a level word (severity_from_text), a syslog number
//             0-7, or a pino/bunyan level 10-60 (trace 10 .. fatal 60)
// The first candidate that yields a value is used and removed from the members; every other
// member becomes a field: strings as their text, other scalars and arrays as compact JSON, an
// empty object as "{}". A time candidate that does not parse stays a field (notes.time_missing).
// Reasons: bad_json (detail has the byte position), not_object, too_deep (more than 64 levels
// of nesting), no_message, plus empty, oversized, binary, invalid_utf8. Never throws.
bool decode_jsonl(std::string_view line, const decode_options& opts, model::event& ev,
                  rejection& why, decode_notes& notes);

}  // namespace seerflow::parse
