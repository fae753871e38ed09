#include "runtime/otlp/export_response.hpp"

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "runtime/otlp/json_text.hpp"

namespace seerflow::otlp {
namespace {

constexpr std::size_t max_message = 512;

void varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

}  // namespace

std::string rejection_summary(const decoded_export& d) {
  if (d.rejected == 0) return {};
  std::string s =
      std::to_string(d.rejected) + " log record" + (d.rejected == 1 ? "" : "s") + " rejected (";
  bool first = true;
  for (const auto& [reason, n] : d.rejected_by_reason) {
    if (!first) s += ", ";
    first = false;
    s += reason + ": " + std::to_string(n);
  }
  s += "); first: " + d.first_rejection;
  if (s.size() > max_message) s.resize(max_message);
  return s;
}

std::string encode_response(const decoded_export& d, body_encoding enc) {
  const auto message = rejection_summary(d);
  if (enc == body_encoding::json) {
    if (d.rejected == 0) return "{}";
    std::string out = "{\"partialSuccess\":{\"rejectedLogRecords\":\"";
    out += std::to_string(d.rejected);
    out += "\",\"errorMessage\":";
    append_json_string(out, message);
    out += "}}";
    return out;
  }
  opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse resp;
  if (d.rejected > 0) {
    auto* ps = resp.mutable_partial_success();
    ps->set_rejected_log_records(static_cast<std::int64_t>(d.rejected));
    ps->set_error_message(message);
  }
  return resp.SerializeAsString();
}

std::string encode_status(int code, const std::string& message, body_encoding enc) {
  const auto msg = message.substr(0, max_message);
  if (enc == body_encoding::json) {
    std::string out = "{\"code\":" + std::to_string(code) + ",\"message\":";
    append_json_string(out, msg);
    out += '}';
    return out;
  }
  // google.rpc.Status: int32 code = 1; string message = 2 (no .proto needed for two fields).
  std::string out;
  out += '\x08';
  varint(out, static_cast<std::uint64_t>(code));
  out += '\x12';
  varint(out, msg.size());
  out += msg;
  return out;
}

}  // namespace seerflow::otlp
