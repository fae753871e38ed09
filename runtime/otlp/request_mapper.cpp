#include "runtime/otlp/request_mapper.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "runtime/otlp/json_text.hpp"
#include "runtime/otlp/severity.hpp"
#include "runtime/parse/level_word.hpp"
#include "runtime/util/utf8.hpp"

namespace seerflow::otlp {
namespace {

namespace common = opentelemetry::proto::common::v1;
namespace logs = opentelemetry::proto::logs::v1;

// Keys come from the client: invalid UTF-8 in a key is repaired here (values are repaired by the
// source pipeline), so stored field names are always valid text.
std::string clean_key(std::string key) {
  if (!util::is_valid_utf8(key)) util::repair_utf8(key);
  return key;
}

void append_scalar(const common::AnyValue& v, std::string& out) {
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      out += v.string_value();
      return;
    case common::AnyValue::kBoolValue:
      out += v.bool_value() ? "true" : "false";
      return;
    case common::AnyValue::kIntValue:
      out += std::to_string(v.int_value());
      return;
    case common::AnyValue::kDoubleValue:
      append_json_double(out, v.double_value(), false);
      return;
    case common::AnyValue::kBytesValue:
      append_base64(out, v.bytes_value());
      return;
    default:
      return;
  }
}

// Compact JSON of any AnyValue. Recursion is bounded by the parser that built the message
// (libprotobuf's limit of 100 levels; the JSON decoder's limit of max_json_depth levels).
void append_json(const common::AnyValue& v, std::string& out) {
  switch (v.value_case()) {
    case common::AnyValue::kStringValue:
      append_json_string(out, v.string_value());
      return;
    case common::AnyValue::kBoolValue:
    case common::AnyValue::kIntValue:
      append_scalar(v, out);
      return;
    case common::AnyValue::kDoubleValue:
      append_json_double(out, v.double_value(), true);
      return;
    case common::AnyValue::kBytesValue: {
      std::string b64;
      append_base64(b64, v.bytes_value());
      append_json_string(out, b64);
      return;
    }
    case common::AnyValue::kArrayValue: {
      out += '[';
      bool first = true;
      for (const auto& e : v.array_value().values()) {
        if (!first) out += ',';
        first = false;
        append_json(e, out);
      }
      out += ']';
      return;
    }
    case common::AnyValue::kKvlistValue: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.kvlist_value().values()) {
        if (!first) out += ',';
        first = false;
        append_json_string(out, kv.key());
        out += ':';
        append_json(kv.value(), out);
      }
      out += '}';
      return;
    }
    default:
      out += "null";
      return;
  }
}

class flattener {
 public:
  flattener(const decode_limits& limits, std::vector<model::field>& out)
      : limits_(limits), out_(out) {}

  // One key-value pair under `prefix` ("" or "resource." ...).
  void add(const std::string& prefix, const common::KeyValue& kv) {
    key_ = prefix;
    key_ += kv.key();
    value(kv.value(), 1);
  }

 private:
  void value(const common::AnyValue& v, int depth) {
    if (v.value_case() == common::AnyValue::kKvlistValue && depth < limits_.max_depth &&
        v.kvlist_value().values_size() > 0) {
      const auto base = key_.size();
      for (const auto& kv : v.kvlist_value().values()) {
        // Stop early: the record is rejected anyway, and a hostile list may be huge.
        if (out_.size() > limits_.max_fields) return;
        key_.resize(base);
        key_ += '.';
        key_ += kv.key();
        value(kv.value(), depth + 1);
      }
      key_.resize(base);
      return;
    }
    model::field f;
    f.key = clean_key(key_);
    if (v.value_case() == common::AnyValue::kArrayValue ||
        v.value_case() == common::AnyValue::kKvlistValue)
      append_json(v, f.value);
    else
      append_scalar(v, f.value);
    out_.push_back(std::move(f));
  }

  const decode_limits& limits_;
  std::vector<model::field>& out_;
  std::string key_;
};

std::string hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    s[2 * i] = digits[c >> 4];
    s[2 * i + 1] = digits[c & 15];
  }
  return s;
}

bool all_zero(const std::string& bytes) {
  for (char c : bytes)
    if (c != 0) return false;
  return true;
}

// What every record of one resource and scope shares.
struct context {
  std::vector<model::field> fields;
  std::string host, app, procid;
};

void add_resource(const logs::ResourceLogs& rl, const decode_limits& limits, context& ctx) {
  flattener flat(limits, ctx.fields);
  for (const auto& kv : rl.resource().attributes()) {
    const auto& k = kv.key();
    const auto& v = kv.value();
    if (k == "host.name" && v.has_string_value()) ctx.host = v.string_value();
    if (k == "service.name" && v.has_string_value()) ctx.app = v.string_value();
    if (k == "process.pid") {
      if (v.has_int_value()) ctx.procid = std::to_string(v.int_value());
      if (v.has_string_value()) ctx.procid = v.string_value();
    }
    flat.add("resource.", kv);
  }
}

void add_scope(const logs::ScopeLogs& sl, const decode_limits& limits, context& ctx) {
  if (!sl.has_scope()) return;
  const auto& s = sl.scope();
  if (!s.name().empty()) ctx.fields.push_back({"scope.name", clean_key(s.name())});
  if (!s.version().empty()) ctx.fields.push_back({"scope.version", clean_key(s.version())});
  flattener flat(limits, ctx.fields);
  for (const auto& kv : s.attributes()) flat.add("scope.", kv);
}

class record_mapper {
 public:
  record_mapper(const decode_limits& limits, std::int64_t arrival_ns, const std::string& peer,
                decoded_export& out)
      : limits_(limits), arrival_ns_(arrival_ns), peer_(peer), out_(out) {}

  void map(const logs::LogRecord& lr, const context& ctx, std::size_t index) {
    model::event ev;
    ev.arrival_ns = arrival_ns_;
    ev.peer = peer_;
    ev.host = ctx.host;
    ev.app = ctx.app;
    ev.procid = ctx.procid;
    if (lr.has_body()) {
      if (lr.body().has_string_value())
        ev.message = lr.body().string_value();
      else
        append_json(lr.body(), ev.message);
    } else if (!lr.event_name().empty()) {
      ev.message = lr.event_name();
    } else {
      return reject(index, "no_body", "the record has neither a body nor an event_name");
    }
    if (ev.message.size() > limits_.max_record)
      return reject(index, "oversized",
                    "body of " + std::to_string(ev.message.size()) + " bytes exceeds " +
                        std::to_string(limits_.max_record));

    constexpr auto max_ns = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t t = lr.time_unix_nano();
    if (t == 0 || t > max_ns) t = lr.observed_time_unix_nano();
    if (t != 0 && t <= max_ns) {
      ev.time_ns = static_cast<std::int64_t>(t);
      ev.time_from_log = true;
    }
    ev.severity = syslog_severity(lr.severity_number());
    if (ev.severity < 0 && !lr.severity_text().empty())
      ev.severity = static_cast<std::int8_t>(parse::find_level_word(lr.severity_text(), 1));

    const auto& trace = lr.trace_id();
    if (!trace.empty() && trace.size() != 16)
      return reject(index, "bad_trace_id",
                    "trace_id has " + std::to_string(trace.size()) + " bytes, not 16");
    const auto& span = lr.span_id();
    if (!span.empty() && span.size() != 8)
      return reject(index, "bad_span_id",
                    "span_id has " + std::to_string(span.size()) + " bytes, not 8");

    auto& fields = ev.fields;
    fields.reserve(ctx.fields.size() + static_cast<std::size_t>(lr.attributes_size()) + 6);
    flattener flat(limits_, fields);
    for (const auto& kv : lr.attributes()) {
      flat.add("", kv);
      if (fields.size() > limits_.max_fields) break;
    }
    if (lr.body().has_kvlist_value())
      for (const auto& kv : lr.body().kvlist_value().values()) {
        flat.add("body.", kv);
        if (fields.size() > limits_.max_fields) break;
      }
    // Checked before copying: a resource with a huge attribute list must not cost its size once
    // per record.
    if (fields.size() + ctx.fields.size() > limits_.max_fields)
      return reject(index, "too_many_fields",
                    "more than " + std::to_string(limits_.max_fields) +
                        " fields after flattening attributes");
    fields.insert(fields.end(), ctx.fields.begin(), ctx.fields.end());
    if (!lr.severity_text().empty()) fields.push_back({"severity_text", lr.severity_text()});
    if (lr.severity_number() != 0)
      fields.push_back({"severity_number", std::to_string(lr.severity_number())});
    if (!lr.event_name().empty()) fields.push_back({"event_name", lr.event_name()});
    // An all-zero id is OTLP's "no trace"; it would only make unrelated records look related.
    if (!trace.empty() && !all_zero(trace)) fields.push_back({"trace_id", hex(trace)});
    if (!span.empty() && !all_zero(span)) fields.push_back({"span_id", hex(span)});
    if (fields.size() > limits_.max_fields)
      return reject(index, "too_many_fields",
                    "more than " + std::to_string(limits_.max_fields) +
                        " fields after flattening attributes");
    for (const auto& f : fields)
      if (f.value.size() > limits_.max_record || f.key.size() > limits_.max_record)
        return reject(index, "oversized",
                      "field '" + f.key.substr(0, 64) + "' of " + std::to_string(f.value.size()) +
                          " bytes exceeds " + std::to_string(limits_.max_record));
    out_.events.push_back(std::move(ev));
  }

 private:
  void reject(std::size_t index, std::string_view reason, const std::string& detail) {
    out_.reject(reason, "log record " + std::to_string(index) + ": " + detail);
  }

  const decode_limits& limits_;
  const std::int64_t arrival_ns_;
  const std::string& peer_;
  decoded_export& out_;
};

}  // namespace

void map_request(const export_request& request, const decode_limits& limits,
                 std::int64_t arrival_ns, const std::string& peer, decoded_export& out) {
  record_mapper mapper(limits, arrival_ns, peer, out);
  // Events are large: growing the vector record by record would move them again and again.
  std::size_t records = 0;
  for (const auto& rl : request.resource_logs())
    for (const auto& sl : rl.scope_logs())
      records += static_cast<std::size_t>(sl.log_records_size());
  out.events.reserve(out.events.size() + records);
  std::size_t index = 0;
  for (const auto& rl : request.resource_logs()) {
    context res;
    add_resource(rl, limits, res);
    for (const auto& sl : rl.scope_logs()) {
      context ctx = res;
      add_scope(sl, limits, ctx);
      for (const auto& lr : sl.log_records()) mapper.map(lr, ctx, index++);
    }
  }
}

}  // namespace seerflow::otlp
