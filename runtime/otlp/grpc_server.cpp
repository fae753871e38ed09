#include "runtime/otlp/grpc_server.hpp"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <grpcpp/grpcpp.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "runtime/otlp/export_response.hpp"
#include "runtime/otlp/gzip.hpp"
#include "runtime/otlp/patient_submit.hpp"
#include "runtime/otlp/protobuf_decoder.hpp"
#include "runtime/util/clock.hpp"

namespace seerflow::otlp {

namespace collector = opentelemetry::proto::collector::logs::v1;

namespace {

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read the TLS ") + what + " '" + path + "'");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A gzip member starts with these two bytes; an ExportLogsServiceRequest never does (0x1f
// would be field 3 with wire type 7, which does not exist), so the two cannot be confused.
bool gzipped(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

}  // namespace

// Export is registered raw (request and response as bytes): a typed method would have gRPC parse
// the request itself and answer a malformed one before any code of ours runs, uncounted. Raw, the
// bytes go through the same protobuf decoder as OTLP/HTTP, and a request that does not parse is
// counted ("bad_protobuf") and answered INVALID_ARGUMENT.
using raw_logs_service =
    collector::LogsService::WithRawCallbackMethod_Export<collector::LogsService::Service>;

struct grpc_server::impl : raw_logs_service {
  impl(boost::asio::io_context& io, grpc_server_options o, std::shared_ptr<ingest::batch_sink> s,
       otlp_counters c)
      : io(io), opts(std::move(o)), sink(std::move(s)), counters(std::move(c)) {}

  static void respond(grpc::ByteBuffer* response, const decoded_export& d) {
    // Rebuilt from the decoded result so the bytes are the same as OTLP/HTTP's protobuf body.
    const auto bytes = encode_response(d, body_encoding::protobuf);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer(&slice, 1).Swap(response);
  }

  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* ctx,
                                   const grpc::ByteBuffer* request,
                                   grpc::ByteBuffer* response) override {
    auto* reactor = ctx->DefaultReactor();
    counters.requests.add();
    decoded_export d;
    if (stopping.load()) {
      counters.requests_refused().add("shutdown");
      reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the receiver is stopping"));
      return reactor;
    }
    counters.common.bytes_received.add(request->Length());
    if (request->Length() > opts.max_request_bytes) {
      // Ours to refuse (gRPC's own limit is set above this one, see start()): counted like
      // OTLP/HTTP's, and answered with the status gRPC itself would give.
      d.fail("oversized", "request of " + std::to_string(request->Length()) +
                              " bytes exceeds max_request_bytes " +
                              std::to_string(opts.max_request_bytes));
      counters.count_decoded(d);
      reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                   d.error_reason + ": " + d.error_detail));
      return reactor;
    }
    // One contiguous view of the message (gRPC hands it over in slices; usually one). An empty
    // message is a valid, empty request.
    grpc::Slice whole;
    std::string_view bytes;
    if (request->Length() > 0) {
      if (request->DumpToSingleSlice(&whole).ok())
        bytes = {reinterpret_cast<const char*>(whole.begin()), whole.size()};
      else
        d.fail("bad_protobuf", "the request message could not be read");
    }
    // gRPC leaves compressed messages to us (start() turns its inflation off): inflated here
    // under max_request_bytes, so a small "zip bomb" is refused and counted like any oversized
    // request instead of being inflated by gRPC without a bound.
    std::string inflated;
    if (d.ok && gzipped(bytes)) {
      switch (gunzip(bytes, opts.max_request_bytes, inflated)) {
        case gunzip_status::ok:
          bytes = inflated;
          break;
        case gunzip_status::too_large:
          d.fail("oversized", "gzip request inflates beyond max_request_bytes " +
                                  std::to_string(opts.max_request_bytes));
          counters.count_decoded(d);
          reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                       d.error_reason + ": " + d.error_detail));
          return reactor;
        case gunzip_status::bad:
          d.fail("bad_gzip", "the compressed request message could not be inflated");
          break;
      }
    }
    if (d.ok)
      d = decode_protobuf(bytes, opts.limits, util::wall_now_ns(), "otlp-grpc:" + ctx->peer());
    counters.count_decoded(d);
    if (!d.ok) {
      reactor->Finish(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, d.error_reason + ": " + d.error_detail));
      return reactor;
    }
    respond(response, d);
    if (d.events.empty()) {
      reactor->Finish(grpc::Status::OK);
      return reactor;
    }
    // gRPC's thread must not wait for the pipeline: a coroutine on our io_context does, and
    // finishes the call (Finish may be called from any thread).
    auto batch = std::make_shared<model::raw_batch>();
    batch->format = model::input_format::prepared;
    batch->prepared = std::move(d.events);
    boost::asio::co_spawn(
        io,
        [this, reactor, batch]() -> boost::asio::awaitable<void> {
          const auto n = batch->prepared.size();
          const bool taken = co_await submit_within(*sink, *batch, opts.patience);
          if (taken) {
            counters.common.records_received.add(n);
            counters.common.batches_submitted.add();
            reactor->Finish(grpc::Status::OK);
          } else {
            counters.requests_refused().add("backpressure");
            reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                         "the pipeline is busy; retry later"));
          }
        },
        boost::asio::detached);
    return reactor;
  }

  boost::asio::io_context& io;
  const grpc_server_options opts;
  std::shared_ptr<ingest::batch_sink> sink;
  otlp_counters counters;
  std::unique_ptr<grpc::Server> server;
  std::atomic<bool> stopping{false};
  std::once_flag stop_once;
};

grpc_server::grpc_server(boost::asio::io_context& io, grpc_server_options options,
                         std::shared_ptr<ingest::batch_sink> sink, otlp_counters counters)
    : impl_(std::make_shared<impl>(io, std::move(options), std::move(sink), std::move(counters))) {}

grpc_server::~grpc_server() = default;

std::uint16_t grpc_server::start() {
  auto& o = impl_->opts;
  std::shared_ptr<grpc::ServerCredentials> creds;
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty())
      throw std::runtime_error("OTLP gRPC TLS needs both a certificate and a key file");
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back(
        {read_file(o.tls_key_file, "key"), read_file(o.tls_cert_file, "certificate")});
    creds = grpc::SslServerCredentials(ssl);
  } else {
    creds = grpc::InsecureServerCredentials();
  }
  const std::string address =
      (o.bind.find(':') != std::string::npos ? "[" + o.bind + "]" : o.bind) + ":" +
      std::to_string(o.port);
  int bound = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, creds, &bound);
  builder.RegisterService(impl_.get());
  // gRPC refuses a message over its own limit before any code of ours runs, uncounted, and that
  // limit protects no memory: gRPC 1.51 receives the whole message before it checks the size
  // (measured: a 300 MiB Export against a 4 MiB limit raised the peak RSS by 330 MiB). So it
  // is lifted, and Export refuses and counts every request over max_request_bytes. The one thing
  // gRPC's limit did bound, how far it inflates a compressed message, is ours instead: its
  // per-message inflation is off and Export inflates gzip itself, under max_request_bytes.
  builder.SetMaxReceiveMessageSize(-1);
  builder.AddChannelArgument(GRPC_ARG_ENABLE_PER_MESSAGE_DECOMPRESSION, 0);
  // OTLP/gRPC compresses with gzip or not at all; a deflate message would reach Export as
  // bytes it does not inflate, so gRPC refuses that encoding (UNIMPLEMENTED) instead.
  builder.SetCompressionAlgorithmSupportStatus(GRPC_COMPRESS_DEFLATE, false);
  // Without this a second server could bind the same port (gRPC sets SO_REUSEPORT).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  impl_->server = builder.BuildAndStart();
  // gRPC does not say why a bind failed; the address being taken is by far the likeliest cause,
  // and the receiver actor retries that one while a predecessor's socket closes.
  if (!impl_->server || bound == 0)
    throw std::system_error(std::make_error_code(std::errc::address_in_use),
                            "OTLP gRPC: cannot listen on " + address);
  return static_cast<std::uint16_t>(bound);
}

void grpc_server::stop(std::function<void()> done) {
  auto self = impl_;
  bool first = false;
  std::call_once(self->stop_once, [&] { first = true; });
  self->stopping = true;
  if (!first || !self->server) {
    if (done) done();
    return;
  }
  // Shutdown blocks until calls in flight end, and those may wait on the io_context: it runs on
  // a thread of its own, never on an I/O or actor thread.
  std::thread([self, done = std::move(done)] {
    self->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    self->server->Wait();
    if (done) done();
  }).detach();
}

}  // namespace seerflow::otlp
