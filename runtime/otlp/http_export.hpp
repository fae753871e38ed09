#pragma once
// OTLP/HTTP `POST /v1/logs` without the transport: request in, response out, so every status
// the specification asks for is unit-tested without sockets. The HTTP server's route calls
// serve_http_export(); decode_http_export() and the response builders are its steps.
//
//   415  Content-Type other than application/x-protobuf (or application/protobuf) and
//        application/json, or a Content-Encoding other than gzip / identity
//   413  body (after gunzip) over max_request_bytes
//   400  a body that does not decode (google.rpc.Status in the request's encoding says why)
//   429  the pipeline had no room within `patience`; Retry-After tells the client when to retry
//   503  the pipeline is shutting down (retryable, Retry-After as well)
//   200  ExportLogsServiceResponse in the request's encoding, partial_success when records were
//        rejected
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/ingest/batch_sink.hpp"
#include "runtime/otlp/decode_limits.hpp"
#include "runtime/otlp/decoded_export.hpp"
#include "runtime/otlp/export_response.hpp"
#include "runtime/otlp/otlp_counters.hpp"
#include "runtime/util/asio_fwd.hpp"

namespace seerflow::otlp {

struct http_export_request {
  std::string_view content_type;      // the header's value, "" if absent
  std::string_view content_encoding;  // the header's value, "" if absent
  std::string_view body;
  std::string peer;  // "otlp-http:127.0.0.1:40112"
  std::int64_t arrival_ns = 0;
};

struct http_export_response {
  int status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // "Retry-After"
};

struct http_export_options {
  decode_limits limits;
  std::size_t max_request_bytes = 4u << 20;
  std::chrono::milliseconds patience{1000};
  int retry_after_s = 1;
};

struct http_decode_outcome {
  std::optional<http_export_response> refusal;  // set: answer it, submit nothing
  body_encoding encoding = body_encoding::protobuf;
  decoded_export decoded;
};

http_decode_outcome decode_http_export(const http_export_request& req,
                                       const http_export_options& opts);
http_export_response accepted_response(const decoded_export& d, body_encoding enc);
http_export_response busy_response(body_encoding enc, int retry_after_s, bool shutting_down);

// The whole exchange: decode, hand the events over as one prepared batch (waiting at most
// opts.patience for room), answer; counts into `counters`.
boost::asio::awaitable<http_export_response> serve_http_export(http_export_request req,
                                                               const http_export_options& opts,
                                                               ingest::batch_sink& sink,
                                                               const otlp_counters& counters);

}  // namespace seerflow::otlp
