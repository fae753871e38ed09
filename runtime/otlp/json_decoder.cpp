#include "runtime/otlp/json_decoder.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include <google/protobuf/arena.h>
#include <nlohmann/json.hpp>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "runtime/otlp/json_text.hpp"
#include "runtime/otlp/request_mapper.hpp"

namespace seerflow::otlp {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace logs = opentelemetry::proto::logs::v1;
using json = nlohmann::json;

// Thrown inside this file only, caught in decode_json or per record.
struct bad_input {
  std::string reason, detail;
};

[[noreturn]] void bad(std::string detail, std::string reason = "bad_json") {
  throw bad_input{std::move(reason), std::move(detail)};
}

// nlohmann parses iteratively, but walking the tree here recurses: nesting is checked on the raw
// text first, so no hostile document can take the stack.
bool nesting_within(std::string_view s, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

const json* member(const json& obj, const char* camel, const char* snake) {
  auto it = obj.find(camel);
  if (it != obj.end() && !it->is_null()) return &*it;
  if (snake) {
    it = obj.find(snake);
    if (it != obj.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

const json& object_at(const json& j, const char* what) {
  if (!j.is_object()) bad(std::string(what) + ": expected an object");
  return j;
}

const json* array_member(const json& obj, const char* camel, const char* snake) {
  const json* a = member(obj, camel, snake);
  if (a && !a->is_array()) bad(std::string(camel) + ": expected an array");
  return a;
}

std::string text_member(const json& obj, const char* camel, const char* snake) {
  const json* v = member(obj, camel, snake);
  if (!v) return {};
  if (!v->is_string()) bad(std::string(camel) + ": expected a string");
  return v->get<std::string>();
}

// 64-bit integers: OTLP/JSON writes them as decimal strings; numbers are accepted too.
template <class Int>
Int integer(const json& v, const char* what) {
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<Int>::max()))
      bad(std::string(what) + ": out of range");
    return static_cast<Int>(u);
  }
  if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    if constexpr (std::is_unsigned_v<Int>) {
      if (i < 0) bad(std::string(what) + ": negative");
    }
    return static_cast<Int>(i);
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    Int out{};
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) return out;
    bad(std::string(what) + ": '" + s.substr(0, 40) + "' is not an integer");
  }
  bad(std::string(what) + ": expected an integer (number or decimal string)");
}

double floating(const json& v, const char* what) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
    if (s == "Infinity") return std::numeric_limits<double>::infinity();
    if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
    double out = 0;
    const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size() && !s.empty()) return out;
  }
  bad(std::string(what) + ": expected a number");
}

void key_values(const json& arr, google::protobuf::RepeatedPtrField<common::KeyValue>& out);

void any_value(const json& j, common::AnyValue& out) {
  if (!j.is_object()) bad("AnyValue: expected an object");
  if (const json* v = member(j, "stringValue", "string_value")) {
    if (!v->is_string()) bad("stringValue: expected a string");
    out.set_string_value(v->get<std::string>());
  } else if (const json* v = member(j, "boolValue", "bool_value")) {
    if (!v->is_boolean()) bad("boolValue: expected true or false");
    out.set_bool_value(v->get<bool>());
  } else if (const json* v = member(j, "intValue", "int_value")) {
    out.set_int_value(integer<std::int64_t>(*v, "intValue"));
  } else if (const json* v = member(j, "doubleValue", "double_value")) {
    out.set_double_value(floating(*v, "doubleValue"));
  } else if (const json* v = member(j, "bytesValue", "bytes_value")) {
    std::string bytes;
    if (!v->is_string() || !decode_base64(v->get_ref<const std::string&>(), bytes))
      bad("bytesValue: expected base64 text");
    out.set_bytes_value(std::move(bytes));
  } else if (const json* v = member(j, "arrayValue", "array_value")) {
    auto* arr = out.mutable_array_value();
    if (const json* values = array_member(object_at(*v, "arrayValue"), "values", nullptr))
      for (const auto& e : *values) any_value(e, *arr->add_values());
  } else if (const json* v = member(j, "kvlistValue", "kvlist_value")) {
    auto* kvl = out.mutable_kvlist_value();
    if (const json* values = array_member(object_at(*v, "kvlistValue"), "values", nullptr))
      key_values(*values, *kvl->mutable_values());
  }
  // {} is an empty AnyValue (OTLP's null).
}

void key_values(const json& arr, google::protobuf::RepeatedPtrField<common::KeyValue>& out) {
  for (const auto& e : arr) {
    object_at(e, "KeyValue");
    auto* kv = out.Add();
    kv->set_key(text_member(e, "key", nullptr));
    if (const json* v = member(e, "value", nullptr)) any_value(*v, *kv->mutable_value());
  }
}

int severity_number(const json& v) {
  static constexpr std::array<const char*, 6> groups{"TRACE", "DEBUG", "INFO",
                                                     "WARN",  "ERROR", "FATAL"};
  if (v.is_string()) {
    std::string_view s = v.get_ref<const std::string&>();
    if (s == "SEVERITY_NUMBER_UNSPECIFIED") return 0;
    constexpr std::string_view prefix = "SEVERITY_NUMBER_";
    if (s.substr(0, prefix.size()) == prefix) {
      s.remove_prefix(prefix.size());
      for (std::size_t g = 0; g < groups.size(); ++g) {
        const std::string_view name = groups[g];
        if (s.substr(0, name.size()) != name) continue;
        const auto step = s.substr(name.size());
        const int base = static_cast<int>(g) * 4 + 1;
        if (step.empty()) return base;
        if (step.size() == 1 && step[0] >= '2' && step[0] <= '4') return base + (step[0] - '1');
      }
    }
    bad("severityNumber: unknown name '" + std::string(s.substr(0, 40)) + "'");
  }
  const auto n = integer<std::int64_t>(v, "severityNumber");
  if (n < 0 || n > 24) bad("severityNumber: " + std::to_string(n) + " is outside 0-24");
  return static_cast<int>(n);
}

std::string hex_id(const json& v, const char* what, std::size_t bytes, const char* reason) {
  if (!v.is_string()) bad(std::string(what) + ": expected a hex string", reason);
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty()) return {};
  if (s.size() != bytes * 2)
    bad(std::string(what) + ": " + std::to_string(s.size()) + " hex digits, not " +
            std::to_string(bytes * 2),
        reason);
  std::string out(bytes, '\0');
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      bad(std::string(what) + ": '" + s.substr(0, 40) + "' is not hex", reason);
    out[i / 2] = static_cast<char>(out[i / 2] << 4 | d);
  }
  return out;
}

void log_record(const json& j, logs::LogRecord& r) {
  object_at(j, "logRecord");
  if (const json* v = member(j, "timeUnixNano", "time_unix_nano"))
    r.set_time_unix_nano(integer<std::uint64_t>(*v, "timeUnixNano"));
  if (const json* v = member(j, "observedTimeUnixNano", "observed_time_unix_nano"))
    r.set_observed_time_unix_nano(integer<std::uint64_t>(*v, "observedTimeUnixNano"));
  if (const json* v = member(j, "severityNumber", "severity_number"))
    r.set_severity_number(static_cast<logs::SeverityNumber>(severity_number(*v)));
  r.set_severity_text(text_member(j, "severityText", "severity_text"));
  if (const json* v = member(j, "body", nullptr)) any_value(*v, *r.mutable_body());
  if (const json* a = array_member(j, "attributes", nullptr))
    key_values(*a, *r.mutable_attributes());
  if (const json* v = member(j, "flags", nullptr)) r.set_flags(integer<std::uint32_t>(*v, "flags"));
  if (const json* v = member(j, "traceId", "trace_id"))
    r.set_trace_id(hex_id(*v, "traceId", 16, "bad_trace_id"));
  if (const json* v = member(j, "spanId", "span_id"))
    r.set_span_id(hex_id(*v, "spanId", 8, "bad_span_id"));
  r.set_event_name(text_member(j, "eventName", "event_name"));
}

}  // namespace

decoded_export decode_json(std::string_view text, const decode_limits& limits,
                           std::int64_t arrival_ns, const std::string& peer) {
  decoded_export out;
  if (!nesting_within(text, max_json_depth)) {
    out.fail("too_deep", "JSON nested deeper than " + std::to_string(max_json_depth) + " levels");
    return out;
  }
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    out.fail("bad_json", e.what());
    return out;
  }
  google::protobuf::Arena arena;
  auto* req = google::protobuf::Arena::CreateMessage<export_request>(&arena);
  std::size_t index = 0;
  try {
    object_at(root, "request");
    if (const json* rls = array_member(root, "resourceLogs", "resource_logs")) {
      for (const auto& rlj : *rls) {
        object_at(rlj, "resourceLogs[]");
        auto* rl = req->add_resource_logs();
        if (const json* res = member(rlj, "resource", nullptr)) {
          object_at(*res, "resource");
          if (const json* a = array_member(*res, "attributes", nullptr))
            key_values(*a, *rl->mutable_resource()->mutable_attributes());
        }
        const json* sls = array_member(rlj, "scopeLogs", "scope_logs");
        if (!sls) continue;
        for (const auto& slj : *sls) {
          object_at(slj, "scopeLogs[]");
          auto* sl = rl->add_scope_logs();
          if (const json* sc = member(slj, "scope", nullptr)) {
            object_at(*sc, "scope");
            auto* scope = sl->mutable_scope();
            scope->set_name(text_member(*sc, "name", nullptr));
            scope->set_version(text_member(*sc, "version", nullptr));
            if (const json* a = array_member(*sc, "attributes", nullptr))
              key_values(*a, *scope->mutable_attributes());
          }
          const json* lrs = array_member(slj, "logRecords", "log_records");
          if (!lrs) continue;
          for (const auto& lrj : *lrs) {
            // A bad record is rejected alone; its neighbours still count.
            try {
              log_record(lrj, *sl->add_log_records());
            } catch (const bad_input& e) {
              sl->mutable_log_records()->RemoveLast();
              out.reject(e.reason == "bad_json" ? "bad_record" : e.reason,
                         "log record " + std::to_string(index) + ": " + e.detail);
            }
            ++index;
          }
        }
      }
    }
  } catch (const bad_input& e) {
    out.fail(e.reason, e.detail);
    return out;
  }
  map_request(*req, limits, arrival_ns, peer, out);
  return out;
}

}  // namespace seerflow::otlp
