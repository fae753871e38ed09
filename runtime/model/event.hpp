#pragma once
// The event: one log record after decoding, as every stage after the receiver sees it.
// Plain data, no behaviour; it crosses actor and node boundaries (see messages/inspect.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/model/entity.hpp"

namespace seerflow::model {

// Sigma's logsource triple, inferred from program, facility and content.
struct logsource {
  std::string product, service, category;
  friend bool operator==(const logsource&, const logsource&) = default;
};

// A named value that came with the record: RFC 5424 structured data ("sdid.param"),
// JSON keys, key=value pairs. Kept for rules and for the store.
struct field {
  std::string key, value;
  friend bool operator==(const field&, const field&) = default;
};

inline constexpr std::int8_t unknown_code = -1;

struct event {
  std::uint64_t seq = 0;                // position in its source's input, from 1, gap-free
  std::int64_t time_ns = 0;             // event time, ns since the Unix epoch, UTC
  std::int64_t arrival_ns = 0;          // when the receiver got it (wall clock)
  bool time_from_log = false;           // false: time_ns is a fallback, not read from the record
  std::int8_t facility = unknown_code;  // syslog facility 0..23
  std::int8_t severity = unknown_code;  // syslog severity 0 (emergency) .. 7 (debug)
  std::string source;                   // configured source name
  std::string peer;                     // transport peer ("127.0.0.1:40112", "file:/var/log/x:17")
  std::string host, app, procid, msgid;
  std::string message;
  std::vector<field> fields;
  logsource ls;
  std::uint64_t template_id = 0;  // 0 = no template (record had no message)
  std::string template_text;      // the template as it stood when this event joined it
  std::vector<std::string> params;
  std::vector<entity_ref> entities;
};

}  // namespace seerflow::model
