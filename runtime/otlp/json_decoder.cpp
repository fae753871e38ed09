#include "runtime/otlp/json_decoder.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>

#include <google/protobuf/arena.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "runtime/otlp/json_reader.hpp"
#include "runtime/otlp/json_text.hpp"
#include "runtime/otlp/request_mapper.hpp"

namespace seerflow::otlp {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace logs = opentelemetry::proto::logs::v1;
using kind = json_reader::kind;

// A member name in OTLP's lowerCamelCase or protobuf's original snake_case (literal sizes known
// at compile time, so each test is a length check and an inlined compare).
template <std::size_t N, std::size_t M>
bool is(std::string_view key, const char (&camel)[N], const char (&snake)[M]) {
  return (key.size() == N - 1 && std::memcmp(key.data(), camel, N - 1) == 0) ||
         (key.size() == M - 1 && std::memcmp(key.data(), snake, M - 1) == 0);
}

std::string quoted_prefix(std::string_view s) {
  return "'" + std::string(s.substr(0, 40)) + "'";
}

enum class decimal_result { ok, not_decimal, out_of_range };

// Decimal digits, with a '-' first for signed types, into Int. Timestamps are on every record:
// this is a plain loop rather than from_chars' general one.
template <class Int>
decimal_result decimal(std::string_view s, Int& out) {
  bool negative = false;
  std::size_t i = 0;
  if (!s.empty() && s[0] == '-') {
    if constexpr (std::is_unsigned_v<Int>) return decimal_result::not_decimal;
    negative = true;
    i = 1;
  }
  if (i == s.size()) return decimal_result::not_decimal;
  std::uint64_t v = 0;
  bool overflow = false;
  for (; i < s.size(); ++i) {
    const auto d = static_cast<unsigned>(static_cast<unsigned char>(s[i]) - '0');
    if (d > 9) return decimal_result::not_decimal;
    overflow |= __builtin_mul_overflow(v, 10u, &v);
    overflow |= __builtin_add_overflow(v, d, &v);
  }
  if (overflow) return decimal_result::out_of_range;
  if (negative) {
    // -v fits when v is at most the magnitude of the type's minimum.
    const auto limit = static_cast<std::uint64_t>(std::numeric_limits<Int>::max()) + 1;
    if (v > limit) return decimal_result::out_of_range;
    out = static_cast<Int>(0 - v);
    return decimal_result::ok;
  }
  if (v > static_cast<std::uint64_t>(std::numeric_limits<Int>::max()))
    return decimal_result::out_of_range;
  out = static_cast<Int>(v);
  return decimal_result::ok;
}

// 64-bit integers: OTLP/JSON writes them as decimal strings; numbers are accepted too.
template <class Int>
Int integer(json_reader& r, const char* what) {
  const auto k = r.next();
  Int out{};
  if (k == kind::string) {
    const auto s = r.string(what);
    if (decimal(s, out) == decimal_result::ok) return out;
    type_error(std::string(what) + ": " + quoted_prefix(s) + " is not an integer");
  }
  if (k != kind::number) type_error(std::string(what) + ": expected an integer (number or string)");
  bool integral = false;
  const auto t = r.number(integral);
  if (!integral) type_error(std::string(what) + ": " + quoted_prefix(t) + " is not an integer");
  if (std::is_unsigned_v<Int> && t.front() == '-') {
    std::int64_t i = 0;
    if (decimal(t, i) == decimal_result::ok && i == 0) return 0;  // "-0"
    type_error(std::string(what) + ": negative");
  }
  if (decimal(t, out) != decimal_result::ok) type_error(std::string(what) + ": out of range");
  return out;
}

// Shortest path for the usual case; strtod settles what from_chars calls out of range (a value
// that underflows to a subnormal or zero is still a number, one that overflows is not).
bool parse_double(std::string_view s, double& out) {
  if (s.empty()) return false;
  const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  if (res.ptr != s.data() + s.size()) return false;
  if (res.ec == std::errc()) return true;
  if (res.ec != std::errc::result_out_of_range) return false;
  const std::string copy(s);
  out = std::strtod(copy.c_str(), nullptr);
  return std::isfinite(out);
}

double floating(json_reader& r, const char* what) {
  const auto k = r.next();
  if (k == kind::number) {
    bool integral = false;
    const auto t = r.number(integral);
    double out = 0;
    if (!parse_double(t, out))
      type_error(std::string(what) + ": " + quoted_prefix(t) + " is out of range");
    return out;
  }
  if (k == kind::string) {
    const auto s = r.string(what);
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    double out = 0;
    if (parse_double(s, out)) return out;
  }
  type_error(std::string(what) + ": expected a number");
}

// A string member; null reads as absent.
void text(json_reader& r, const char* what, std::string* out) {
  if (r.null()) return;
  const auto s = r.string(what);
  out->assign(s.data(), s.size());
}

void key_values(json_reader& r, const char* what,
                google::protobuf::RepeatedPtrField<common::KeyValue>& out);

void any_value(json_reader& r, common::AnyValue& out) {
  r.object("AnyValue", [&](std::string_view key) {
    if (r.null()) return;
    if (is(key, "stringValue", "string_value")) {
      const auto s = r.string("stringValue");
      out.mutable_string_value()->assign(s.data(), s.size());
    } else if (is(key, "boolValue", "bool_value")) {
      out.set_bool_value(r.boolean("boolValue"));
    } else if (is(key, "intValue", "int_value")) {
      out.set_int_value(integer<std::int64_t>(r, "intValue"));
    } else if (is(key, "doubleValue", "double_value")) {
      out.set_double_value(floating(r, "doubleValue"));
    } else if (is(key, "bytesValue", "bytes_value")) {
      if (r.next() != kind::string) type_error("bytesValue: expected base64 text");
      const auto s = r.string("bytesValue");
      std::string* bytes = out.mutable_bytes_value();
      bytes->clear();
      if (!decode_base64(s, *bytes)) type_error("bytesValue: expected base64 text");
    } else if (is(key, "arrayValue", "array_value")) {
      auto* arr = out.mutable_array_value();
      r.object("arrayValue", [&](std::string_view k) {
        if (k != "values")
          r.skip_value();
        else if (!r.null())
          r.array("values", [&] { any_value(r, *arr->add_values()); });
      });
    } else if (is(key, "kvlistValue", "kvlist_value")) {
      auto* kvl = out.mutable_kvlist_value();
      r.object("kvlistValue", [&](std::string_view k) {
        if (k != "values")
          r.skip_value();
        else if (!r.null())
          key_values(r, "values", *kvl->mutable_values());
      });
    } else {
      r.skip_value();
    }
  });
  // {} is an empty AnyValue (OTLP's null).
}

void key_values(json_reader& r, const char* what,
                google::protobuf::RepeatedPtrField<common::KeyValue>& out) {
  r.array(what, [&] {
    auto* kv = out.Add();
    r.object("KeyValue", [&](std::string_view key) {
      if (key == "key")
        text(r, "key", kv->mutable_key());
      else if (key != "value")
        r.skip_value();
      else if (!r.null())
        any_value(r, *kv->mutable_value());
    });
  });
}

// A repeated member; null reads as absent.
void attributes(json_reader& r, google::protobuf::RepeatedPtrField<common::KeyValue>& out) {
  if (!r.null()) key_values(r, "attributes", out);
}

int severity_number(json_reader& r) {
  static constexpr std::array<std::string_view, 6> groups{"TRACE", "DEBUG", "INFO",
                                                          "WARN",  "ERROR", "FATAL"};
  if (r.next() == kind::string) {
    auto s = r.string("severityNumber");
    if (s == "SEVERITY_NUMBER_UNSPECIFIED") return 0;
    const std::string name = quoted_prefix(s);
    constexpr std::string_view prefix = "SEVERITY_NUMBER_";
    if (s.substr(0, prefix.size()) == prefix) {
      s.remove_prefix(prefix.size());
      for (std::size_t g = 0; g < groups.size(); ++g) {
        if (s.substr(0, groups[g].size()) != groups[g]) continue;
        const auto step = s.substr(groups[g].size());
        const int base = static_cast<int>(g) * 4 + 1;
        if (step.empty()) return base;
        if (step.size() == 1 && step[0] >= '2' && step[0] <= '4') return base + (step[0] - '1');
      }
    }
    type_error("severityNumber: unknown name " + name);
  }
  const auto n = integer<std::int64_t>(r, "severityNumber");
  if (n < 0 || n > 24) type_error("severityNumber: " + std::to_string(n) + " is outside 0-24");
  return static_cast<int>(n);
}

// Digit values of hex characters, -1 for the rest (ids are on every record: no branches).
constexpr std::array<std::int8_t, 256> hex_values = [] {
  std::array<std::int8_t, 256> t{};
  t.fill(-1);
  for (int c = 0; c < 10; ++c) t[static_cast<std::size_t>('0' + c)] = static_cast<std::int8_t>(c);
  for (int c = 0; c < 6; ++c) {
    t[static_cast<std::size_t>('a' + c)] = static_cast<std::int8_t>(10 + c);
    t[static_cast<std::size_t>('A' + c)] = static_cast<std::int8_t>(10 + c);
  }
  return t;
}();

void hex_id(json_reader& r, const char* what, std::size_t bytes, const char* reason,
            std::string* out) {
  if (r.next() != kind::string) type_error(std::string(what) + ": expected a hex string", reason);
  const auto s = r.string(what);
  out->clear();
  if (s.empty()) return;
  if (s.size() != bytes * 2)
    type_error(std::string(what) + ": " + std::to_string(s.size()) + " hex digits, not " +
                   std::to_string(bytes * 2),
               reason);
  out->resize(bytes);
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const auto hi = hex_values[static_cast<unsigned char>(s[i])];
    const auto lo = hex_values[static_cast<unsigned char>(s[i + 1])];
    if (hi < 0 || lo < 0)
      type_error(std::string(what) + ": " + quoted_prefix(s) + " is not hex", reason);
    (*out)[i / 2] = static_cast<char>(hi << 4 | lo);
  }
}

void log_record(json_reader& r, logs::LogRecord& lr) {
  r.object("logRecord", [&](std::string_view key) {
    if (r.null()) return;
    if (is(key, "timeUnixNano", "time_unix_nano")) {
      lr.set_time_unix_nano(integer<std::uint64_t>(r, "timeUnixNano"));
    } else if (is(key, "observedTimeUnixNano", "observed_time_unix_nano")) {
      lr.set_observed_time_unix_nano(integer<std::uint64_t>(r, "observedTimeUnixNano"));
    } else if (is(key, "severityNumber", "severity_number")) {
      lr.set_severity_number(static_cast<logs::SeverityNumber>(severity_number(r)));
    } else if (is(key, "severityText", "severity_text")) {
      text(r, "severityText", lr.mutable_severity_text());
    } else if (key == "body") {
      any_value(r, *lr.mutable_body());
    } else if (key == "attributes") {
      key_values(r, "attributes", *lr.mutable_attributes());
    } else if (key == "flags") {
      lr.set_flags(integer<std::uint32_t>(r, "flags"));
    } else if (is(key, "traceId", "trace_id")) {
      hex_id(r, "traceId", 16, "bad_trace_id", lr.mutable_trace_id());
    } else if (is(key, "spanId", "span_id")) {
      hex_id(r, "spanId", 8, "bad_span_id", lr.mutable_span_id());
    } else if (is(key, "eventName", "event_name")) {
      text(r, "eventName", lr.mutable_event_name());
    } else {
      r.skip_value();
    }
  });
}

// The records of one scopeLogs entry, each accepted or rejected on its own: a record that is
// JSON but not a LogRecord is skipped over (its syntax still checked) and counted.
void log_records(json_reader& r, logs::ScopeLogs& sl, std::size_t& index, decoded_export& out) {
  r.array("logRecords", [&] {
    const char* const start = r.position();
    const int depth = r.depth();
    try {
      log_record(r, *sl.add_log_records());
    } catch (const json_type_error& e) {
      sl.mutable_log_records()->RemoveLast();
      r.rewind(start, depth);
      r.skip_value();
      out.reject(e.reason.empty() ? "bad_record" : e.reason,
                 "log record " + std::to_string(index) + ": " + e.detail);
    }
    ++index;
  });
}

void scope_logs(json_reader& r, logs::ScopeLogs& sl, std::size_t& index, decoded_export& out) {
  r.object("scopeLogs[]", [&](std::string_view key) {
    if (r.null()) return;
    if (key == "scope") {
      auto* scope = sl.mutable_scope();
      r.object("scope", [&](std::string_view k) {
        if (k == "name")
          text(r, "name", scope->mutable_name());
        else if (k == "version")
          text(r, "version", scope->mutable_version());
        else if (k == "attributes")
          attributes(r, *scope->mutable_attributes());
        else
          r.skip_value();
      });
    } else if (is(key, "logRecords", "log_records")) {
      log_records(r, sl, index, out);
    } else {
      r.skip_value();
    }
  });
}

void resource_logs(json_reader& r, logs::ResourceLogs& rl, std::size_t& index,
                   decoded_export& out) {
  r.object("resourceLogs[]", [&](std::string_view key) {
    if (r.null()) return;
    if (key == "resource") {
      auto* res = rl.mutable_resource();
      r.object("resource", [&](std::string_view k) {
        if (k == "attributes")
          attributes(r, *res->mutable_attributes());
        else
          r.skip_value();
      });
    } else if (is(key, "scopeLogs", "scope_logs")) {
      r.array("scopeLogs", [&] { scope_logs(r, *rl.add_scope_logs(), index, out); });
    } else {
      r.skip_value();
    }
  });
}

void request(json_reader& r, export_request& req, decoded_export& out) {
  std::size_t index = 0;
  r.object("request", [&](std::string_view key) {
    if (!is(key, "resourceLogs", "resource_logs"))
      r.skip_value();
    else if (!r.null())
      r.array("resourceLogs", [&] { resource_logs(r, *req.add_resource_logs(), index, out); });
  });
  r.finish();
}

}  // namespace

decoded_export decode_json(std::string_view text, const decode_limits& limits,
                           std::int64_t arrival_ns, const std::string& peer) {
  decoded_export out;
  // One arena per request: the parsed tree is freed in one go, not node by node.
  google::protobuf::Arena arena;
  auto* req = google::protobuf::Arena::CreateMessage<export_request>(&arena);
  json_reader r(text, max_json_depth);
  try {
    try {
      request(r, *req, out);
    } catch (const json_type_error& e) {
      // A request, resource or scope of the wrong shape fails the request; but text that is not
      // JSON at all says so first, wherever it is broken.
      r.rewind_to_start();
      r.skip_value();
      r.finish();
      out.fail("bad_json", e.detail);
      return out;
    }
  } catch (const json_syntax_error& e) {
    out.fail(e.reason, e.detail);
    return out;
  }
  map_request(*req, limits, arrival_ns, peer, out);
  return out;
}

}  // namespace seerflow::otlp
