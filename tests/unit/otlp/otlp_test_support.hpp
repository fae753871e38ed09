#pragma once
// Builders of OTLP requests for the OTLP tests (protobuf objects, their bytes, and JSON text).
#include <cstdint>
#include <string>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace seerflow::test {

namespace otlp_pb = opentelemetry::proto;
using export_request_pb = otlp_pb::collector::logs::v1::ExportLogsServiceRequest;
using export_response_pb = otlp_pb::collector::logs::v1::ExportLogsServiceResponse;

inline constexpr std::uint64_t t0 = 1'763'700'000'123'456'789ULL;  // 2025-11-21, in ns

inline void set_attr(otlp_pb::common::v1::KeyValue* kv, const std::string& k,
                     const std::string& v) {
  kv->set_key(k);
  kv->mutable_value()->set_string_value(v);
}

// A resource (service "checkout", host "web-1", pid 4242) with one scope and `n` records
// "order N placed" with attributes user.name and http.status_code, INFO, trace ids.
inline export_request_pb sample_request(int n = 3) {
  export_request_pb req;
  auto* rl = req.add_resource_logs();
  auto* res = rl->mutable_resource();
  set_attr(res->add_attributes(), "service.name", "checkout");
  set_attr(res->add_attributes(), "host.name", "web-1");
  auto* pid = res->add_attributes();
  pid->set_key("process.pid");
  pid->mutable_value()->set_int_value(4242);
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("shop.orders");
  sl->mutable_scope()->set_version("1.2.0");
  for (int i = 0; i < n; ++i) {
    auto* r = sl->add_log_records();
    r->set_time_unix_nano(t0 + static_cast<std::uint64_t>(i));
    r->set_observed_time_unix_nano(t0 + 1000);
    r->set_severity_number(otlp_pb::logs::v1::SEVERITY_NUMBER_INFO);
    r->set_severity_text("INFO");
    r->mutable_body()->set_string_value("order " + std::to_string(i) + " placed");
    set_attr(r->add_attributes(), "user.name", "alice");
    auto* code = r->add_attributes();
    code->set_key("http.status_code");
    code->mutable_value()->set_int_value(200);
    r->set_trace_id(
        std::string("\x5b\x8e\xfc\xf2\x3c\x40\x31\x06\x1a\x9b\xa2\x81\x0d\x39\x26\x5c", 16));
    r->set_span_id(std::string("\xeb\x16\x94\x5a\x5e\x7f\xa1\x23", 8));
  }
  return req;
}

inline std::string sample_bytes(int n = 3) {
  return sample_request(n).SerializeAsString();
}

}  // namespace seerflow::test
