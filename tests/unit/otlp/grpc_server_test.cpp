// The OTLP/gRPC server with a real gRPC client (the generated stub): Export answers OK with
// partial_success, RESOURCE_EXHAUSTED under backpressure (nothing taken) and for oversized
// messages (counted as rejected "oversized"), TLS from certificate and key files, and stop.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <future>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "runtime/otlp/grpc_server.hpp"
#include "tests/unit/net/net_test_support.hpp"
#include "tests/unit/otlp/otlp_test_support.hpp"

using namespace seerflow;
using namespace seerflow::test;
namespace collector = opentelemetry::proto::collector::logs::v1;

namespace {

struct fixture {
  explicit fixture(otlp::grpc_server_options o, std::size_t credits = 64, bool hold = false)
      : sink(std::make_shared<test_sink>(credits, hold)) {
    o.bind = "127.0.0.1";
    o.port = 0;
    server = std::make_shared<otlp::grpc_server>(io.io(), std::move(o), sink,
                                                 otlp::otlp_counters(reg, "otlp-grpc"));
    port = server->start();
  }
  ~fixture() { stop_and_wait(server); }

  std::unique_ptr<collector::LogsService::Stub> stub(
      std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials(),
      const std::string& host = "127.0.0.1") {
    grpc::ChannelArguments args;
    args.SetMaxSendMessageSize(64 << 20);
    return collector::LogsService::NewStub(
        grpc::CreateCustomChannel(host + ":" + std::to_string(port), creds, args));
  }

  std::size_t events() const {
    std::size_t n = 0;
    for (const auto& b : sink->batches()) n += b.prepared.size();
    return n;
  }

  metrics::registry reg;
  io_thread io;
  std::shared_ptr<test_sink> sink;
  std::shared_ptr<otlp::grpc_server> server;
  std::uint16_t port = 0;
};

grpc::Status call(collector::LogsService::Stub& stub, const export_request_pb& req,
                  export_response_pb& resp, bool gzip = false) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  if (gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  return stub.Export(&ctx, req, &resp);
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("Export takes the records as one prepared batch and reports rejections", "[otlp][grpc]") {
  fixture f({});
  auto stub = f.stub();
  auto req = sample_request(5);
  req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(3)->set_span_id("x");
  export_response_pb resp;
  const auto st = call(*stub, req, resp);
  REQUIRE(st.ok());
  CHECK(resp.partial_success().rejected_log_records() == 1);
  CHECK(resp.partial_success().error_message().find("bad_span_id") != std::string::npos);
  const auto batches = f.sink->batches();
  REQUIRE(batches.size() == 1);
  REQUIRE(batches[0].prepared.size() == 4);
  CHECK(batches[0].prepared[0].message == "order 0 placed");
  CHECK(batches[0].prepared[0].peer.rfind("otlp-grpc:ipv4:127.0.0.1:", 0) == 0);
  otlp::otlp_counters c(f.reg, "otlp-grpc");
  CHECK(c.common.records_received.value() == 4);
  CHECK(c.common.records_rejected().value("bad_span_id") == 1);

  export_response_pb empty_resp;
  REQUIRE(call(*stub, export_request_pb{}, empty_resp).ok());
  CHECK_FALSE(empty_resp.has_partial_success());
  CHECK(f.sink->batches().size() == 1);
}

TEST_CASE("no room in the pipeline: RESOURCE_EXHAUSTED and nothing taken", "[otlp][grpc]") {
  otlp::grpc_server_options o;
  o.patience = std::chrono::milliseconds(20);
  fixture f(o, 1, /*hold=*/true);
  auto stub = f.stub();
  export_response_pb resp;
  REQUIRE(call(*stub, sample_request(2), resp).ok());
  const auto busy = call(*stub, sample_request(2), resp);
  CHECK(busy.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(f.events() == 2);
  f.sink->release_held();
  REQUIRE(call(*stub, sample_request(2), resp).ok());
  CHECK(f.events() == 4);
  otlp::otlp_counters c(f.reg, "otlp-grpc");
  CHECK(c.requests_refused().value("backpressure") == 1);
}

TEST_CASE("messages over max_request_bytes: RESOURCE_EXHAUSTED, counted as rejected oversized",
          "[otlp][grpc][hostile]") {
  const auto big = sample_request(200);
  const auto size = big.ByteSizeLong();
  otlp::grpc_server_options o;
  o.max_request_bytes = size - 1;
  fixture f(o);
  auto stub = f.stub();
  export_response_pb resp;
  const auto st = call(*stub, big, resp);
  CHECK(st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(st.error_message() == "oversized: request of " + std::to_string(size) +
                                  " bytes exceeds max_request_bytes " + std::to_string(size - 1));
  CHECK(f.events() == 0);
  otlp::otlp_counters c(f.reg, "otlp-grpc");
  CHECK(c.common.records_rejected().value("oversized") == 1);
  CHECK(c.common.records_received.value() == 0);
  REQUIRE(call(*stub, sample_request(1), resp).ok());
  CHECK(f.events() == 1);
  CHECK(c.common.records_rejected().value("oversized") == 1);
}

TEST_CASE("far over max_request_bytes: refused and counted too (gRPC's own limit is off)",
          "[otlp][grpc][hostile]") {
  const auto big = sample_request(200);
  otlp::grpc_server_options o;
  o.max_request_bytes = big.ByteSizeLong() / 20;
  fixture f(o);
  auto stub = f.stub();
  export_response_pb resp;
  const auto st = call(*stub, big, resp);
  CHECK(st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(st.error_message().rfind("oversized: request of ", 0) == 0);
  CHECK(f.events() == 0);
  otlp::otlp_counters c(f.reg, "otlp-grpc");
  CHECK(c.common.records_rejected().value("oversized") == 1);
}

TEST_CASE("gzip-compressed Export: inflated by us, records taken", "[otlp][grpc]") {
  fixture f({});
  auto stub = f.stub();
  export_response_pb resp;
  REQUIRE(call(*stub, sample_request(7), resp, true).ok());
  CHECK(f.events() == 7);
  otlp::otlp_counters c(f.reg, "otlp-grpc");
  CHECK(c.common.records_received.value() == 7);
}

TEST_CASE("a gzip message that inflates beyond max_request_bytes is refused and counted",
          "[otlp][grpc][hostile]") {
  // Repetitive records compress well: small on the wire, several times the limit inflated.
  auto req = sample_request(400);
  const auto inflated = req.ByteSizeLong();
  otlp::grpc_server_options o;
  o.max_request_bytes = inflated / 3;
  fixture f(o);
  auto stub = f.stub();
  export_response_pb resp;
  const auto st = call(*stub, req, resp, true);
  CHECK(st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED);
  CHECK(st.error_message() == "oversized: gzip request inflates beyond max_request_bytes " +
                                  std::to_string(o.max_request_bytes));
  CHECK(f.events() == 0);
  otlp::otlp_counters c(f.reg, "otlp-grpc");
  CHECK(c.common.records_rejected().value("oversized") == 1);
  // The server goes on: a small compressed request is taken.
  REQUIRE(call(*stub, sample_request(2), resp, true).ok());
  CHECK(f.events() == 2);
}

TEST_CASE("TLS from certificate and key files", "[otlp][grpc][tls]") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("seerflow-otlp-tls-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto key = dir / "key.pem", cert = dir / "cert.pem";
  const std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
      "-addext subjectAltName=DNS:localhost -keyout " +
      key.string() + " -out " + cert.string() + " 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  otlp::grpc_server_options o;
  o.tls_cert_file = cert.string();
  o.tls_key_file = key.string();
  {
    fixture f(o);
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = slurp(cert);
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    auto stub = collector::LogsService::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(f.port), grpc::SslCredentials(ssl), args));
    export_response_pb resp;
    REQUIRE(call(*stub, sample_request(2), resp).ok());
    CHECK(f.events() == 2);
    // A plaintext client cannot talk to the TLS port.
    auto plain = f.stub();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    CHECK_FALSE(plain->Export(&ctx, sample_request(1), &resp).ok());
    CHECK(f.events() == 2);
  }
  otlp::grpc_server_options missing;
  missing.tls_cert_file = (dir / "absent.pem").string();
  missing.tls_key_file = key.string();
  CHECK_THROWS_WITH(fixture(missing), Catch::Contains("absent.pem"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("a second server cannot take a port in use; stop is idempotent", "[otlp][grpc]") {
  fixture f({});
  io_thread io;
  metrics::registry reg;
  otlp::grpc_server_options o;
  o.bind = "127.0.0.1";
  o.port = f.port;
  auto second =
      std::make_shared<otlp::grpc_server>(io.io(), o, f.sink, otlp::otlp_counters(reg, "second"));
  CHECK_THROWS_AS(second->start(), std::system_error);
  CHECK(stop_and_wait(f.server) == 1);
  CHECK(stop_and_wait(f.server) == 1);
}

TEST_CASE("bytes that are not an ExportLogsServiceRequest: INVALID_ARGUMENT, counted",
          "[otlp][grpc][hostile]") {
  fixture f({});
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(f.port),
                                     grpc::InsecureChannelCredentials());
  grpc::GenericStub generic(channel);
  const auto valid = sample_bytes(2);
  for (const std::string& garbage :
       {std::string("\x0a\xff\xff\xff\xff\x0f", 6), std::string("not protobuf"),
        valid.substr(0, valid.size() / 2)}) {
    grpc::Slice slice(garbage);
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    std::promise<grpc::Status> done;
    generic.UnaryCall(&ctx, "/opentelemetry.proto.collector.logs.v1.LogsService/Export",
                      grpc::StubOptions(), &request, &response,
                      [&](grpc::Status st) { done.set_value(std::move(st)); });
    const auto st = done.get_future().get();
    CHECK(st.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(st.error_message().rfind("bad_protobuf: ", 0) == 0);
  }
  CHECK(f.events() == 0);
  otlp::otlp_counters c(f.reg, "otlp-grpc");
  CHECK(c.common.records_rejected().value("bad_protobuf") == 3);
  CHECK(c.requests.value() == 3);
  auto stub = f.stub();
  export_response_pb resp;
  REQUIRE(call(*stub, sample_request(2), resp).ok());
  CHECK(f.events() == 2);
  CHECK(c.common.records_received.value() == 2);
  CHECK(c.common.records_rejected().value("bad_protobuf") == 3);
}

TEST_CASE("an empty request and records that fail their own checks", "[otlp][grpc]") {
  fixture f({});
  auto stub = f.stub();
  export_response_pb resp;
  REQUIRE(call(*stub, export_request_pb{}, resp).ok());
  CHECK_FALSE(resp.has_partial_success());
  // A readable request whose every record is rejected: OK with partial_success, nothing taken.
  auto req = sample_request(2);
  for (auto& r : *req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records())
    r.set_trace_id("short");
  REQUIRE(call(*stub, req, resp).ok());
  CHECK(resp.partial_success().rejected_log_records() == 2);
  CHECK(resp.partial_success().error_message().find("bad_trace_id: 2") != std::string::npos);
  CHECK(f.events() == 0);
  otlp::otlp_counters c(f.reg, "otlp-grpc");
  CHECK(c.common.records_rejected().value("bad_trace_id") == 2);
}
