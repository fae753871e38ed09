#pragma once
// Turns a parsed OTLP ExportLogsServiceRequest into events: the one mapping both encodings
// (protobuf, JSON) and both transports (gRPC, HTTP) share. The protobuf types stay in .cpp files;
// callers outside runtime/otlp see only the forward declaration.
//
// How a LogRecord becomes a model::event (the names are the contract Sigma rules rely on):
//   message       the body: a string as is; any other AnyValue as compact JSON (bytes as base64);
//                 no body: the event_name; neither: rejected ("no_body")
//   time_ns       time_unix_nano, else observed_time_unix_nano (time_from_log either way); neither:
//                 the pipeline uses the arrival time
//   severity      severity_number on the syslog scale (severity.hpp); unspecified: a level word in
//                 severity_text ("WARN", "error"...)
//   host, app,    resource attributes host.name, service.name and process.pid
//   procid
//   fields        every attribute under its own key ("http.request.method", "user.name"), so
//                 Sigma rules name OpenTelemetry semantic-convention keys directly; resource
//                 attributes as "resource.<key>"; scope as "scope.name", "scope.version" and
//                 "scope.<attribute key>"; a key-value body also as "body.<key>"; plus
//                 "severity_text", "severity_number", "event_name", "trace_id" and "span_id"
//                 (lowercase hex). Nested key-value lists flatten with dots ("a.b.c") up to
//                 decode_limits::max_depth; arrays and deeper levels stay compact JSON text.
// Per-record rejections (the rest of the request is kept): no_body, oversized (body or a field
// over max_record), too_many_fields, bad_trace_id (not 16 bytes), bad_span_id (not 8 bytes).
#include <cstdint>
#include <string>

#include "runtime/otlp/decode_limits.hpp"
#include "runtime/otlp/decoded_export.hpp"

namespace opentelemetry::proto::collector::logs::v1 {
class ExportLogsServiceRequest;
}

namespace seerflow::otlp {

using export_request = opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;

// Appends the accepted records' events to out.events and counts rejections in `out`. `peer`
// names the transport and client ("otlp-grpc:ipv4:127.0.0.1:53012"); every event carries it and
// `arrival_ns`.
void map_request(const export_request& request, const decode_limits& limits,
                 std::int64_t arrival_ns, const std::string& peer, decoded_export& out);

}  // namespace seerflow::otlp
