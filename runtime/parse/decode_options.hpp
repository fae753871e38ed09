#pragma once
// What every record decoder (syslog, raw, JSON lines) is told, and what it reports back beside the
// event: facts the caller counts (repairs, missing headers and times) without them being errors.
#include <cstddef>

#include "runtime/parse/time_context.hpp"

namespace seerflow::parse {

struct decode_options {
  time_context time;
  bool reject_invalid_utf8 = false;  // false: repair with U+FFFD and report it in notes
  // Longer messages are rejected ("oversized"). A record is also rejected up front when it is
  // longer than twice this, whatever its message: headers, structured data and JSON members
  // get at most as many bytes as the message itself.
  std::size_t max_message = 65536;
};

struct decode_notes {  // facts the caller counts; reset by each decode call
  bool utf8_repaired = false;
  bool header_missing = false;  // record had no syslog header; taken as a plain message
  bool time_missing = false;    // no timestamp found; ev.time_ns left as the caller set it
  // Plain messages (raw lines, syslog records without a header): how many bytes at the start of
  // ev.message are its timestamp. The template miner skips them: a time is not part of what a
  // message says.
  std::size_t time_prefix = 0;
};

}  // namespace seerflow::parse
