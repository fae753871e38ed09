#pragma once
// The OTLP/gRPC logs service (opentelemetry.proto.collector.logs.v1.LogsService/Export) on
// gRPC's callback API: gRPC's own threads decode and map each request, then a coroutine on our
// io_context hands it to the pipeline as one prepared batch and finishes the RPC. No completion
// queue thread of ours; no gRPC header outside grpc_server.cpp.
//
// Status codes: OK (with partial_success when records were rejected), INVALID_ARGUMENT for bytes
// that are not an ExportLogsServiceRequest (counted as rejected "bad_protobuf": the method is
// registered raw so that gRPC does not refuse them uncounted), RESOURCE_EXHAUSTED when
// the pipeline had no room within `patience` (OTLP exporters keep and retry the data),
// UNAVAILABLE while stopping, and RESOURCE_EXHAUSTED for a message over max_request_bytes, or a
// gzip-compressed one that inflates beyond it (counted as rejected "oversized", like
// OTLP/HTTP's). gRPC's own size limit and inflation are off: Export sees every request.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "runtime/ingest/batch_sink.hpp"
#include "runtime/otlp/decode_limits.hpp"
#include "runtime/otlp/otlp_counters.hpp"
#include "runtime/util/asio_fwd.hpp"

namespace seerflow::otlp {

struct grpc_server_options {
  std::string bind = "0.0.0.0";
  std::uint16_t port = 4317;  // 0 = any free port
  std::size_t max_request_bytes = 4u << 20;
  decode_limits limits;
  std::chrono::milliseconds patience{1000};
  std::string tls_cert_file;  // PEM; TLS when both files are set
  std::string tls_key_file;
};

class grpc_server : public std::enable_shared_from_this<grpc_server> {
 public:
  grpc_server(boost::asio::io_context& io, grpc_server_options options,
              std::shared_ptr<ingest::batch_sink> sink, otlp_counters counters);
  ~grpc_server();
  grpc_server(const grpc_server&) = delete;
  grpc_server& operator=(const grpc_server&) = delete;

  // Starts serving; returns the bound port. Throws std::runtime_error naming the address when it
  // cannot bind or the TLS files cannot be read. Call once.
  std::uint16_t start();

  // Callable from any thread, more than once: refuses new calls, lets calls in flight finish
  // (within a second), then runs `done` on a thread of its own. Never blocks the caller.
  void stop(std::function<void()> done);

  struct impl;

 private:
  std::shared_ptr<impl> impl_;
};

}  // namespace seerflow::otlp
