// OTLP ingest throughput: requests of 512 log records (realistic bodies, attributes, resource,
// trace context) decoded into events and handed to the pipeline's batch_sink as one prepared
// batch each:
//   http_protobuf, http_json    the HTTP handler alone (serve_http_export, no sockets)
//   http_loopback_protobuf,     the real HTTP server with the /v1/logs route over loopback, K
//   http_loopback_json          keep-alive clients posting one request after another
//   grpc_loopback               the gRPC server over loopback with K real gRPC clients
// The sink takes every batch and returns its credit at once. Each run reports records/s (wall
// clock) and records per CPU-second of the whole process (clients included for the loopback
// runs): on a shared machine the CPU figure says what the work costs when others compete for
// the cores. Prints one JSON object.
//
//   bench_otlp_ingest [--requests N] [--grpc-requests N] [--grpc-clients K] [--http-clients K]
//                     [--only RUN[,RUN...]]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <future>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "runtime/util/asio_fwd.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include "opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h"
#include "runtime/ingest/credit_gate.hpp"
#include "runtime/metrics/registry.hpp"
#include "runtime/net/http/http_server.hpp"
#include "runtime/otlp/grpc_server.hpp"
#include "runtime/otlp/http_export.hpp"
#include "runtime/otlp/http_route.hpp"
#include "runtime/util/log.hpp"

using namespace seerflow;
using clock_type = std::chrono::steady_clock;
namespace pb = opentelemetry::proto;

namespace {

constexpr int records_per_request = 512;

// Takes every batch and gives its credit straight back; counts events.
class counting_sink : public ingest::batch_sink {
 public:
  boost::asio::awaitable<bool> submit(model::raw_batch batch) override {
    events += batch.prepared.size();
    co_return true;
  }
  bool try_submit(model::raw_batch& batch) override {
    events += batch.prepared.size();
    return true;
  }
  std::atomic<std::uint64_t> events{0};
};

const char* const users[] = {"alice", "bob", "carol", "dave", "erin", "frank"};
const char* const paths[] = {"/api/orders", "/api/cart", "/login", "/api/payments", "/health"};

std::string hex(std::mt19937_64& rng, int bytes) {
  static constexpr char d[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < bytes * 2; ++i) s += d[rng() % 16];
  return s;
}

std::string raw(const std::string& hex_text) {
  std::string out;
  for (std::size_t i = 0; i < hex_text.size(); i += 2)
    out += static_cast<char>(std::stoi(hex_text.substr(i, 2), nullptr, 16));
  return out;
}

struct sample {
  std::string body, user, path, trace, span;
  int status;
  std::uint64_t time;
};

std::vector<sample> samples(std::mt19937_64& rng, int n, std::uint64_t t0) {
  std::vector<sample> out;
  for (int i = 0; i < n; ++i) {
    sample s;
    s.user = users[rng() % 6];
    s.path = paths[rng() % 5];
    s.status = (rng() % 10 == 0) ? 500 : 200;
    s.body = "request " + std::to_string(rng() % 100000) + " " + s.path + " for user " + s.user +
             " finished with status " + std::to_string(s.status) + " in " +
             std::to_string(rng() % 900 + 3) + " ms";
    s.trace = hex(rng, 16);
    s.span = hex(rng, 8);
    s.time = t0 + static_cast<std::uint64_t>(i) * 1000;
    out.push_back(std::move(s));
  }
  return out;
}

pb::collector::logs::v1::ExportLogsServiceRequest protobuf_request(const std::vector<sample>& ss) {
  pb::collector::logs::v1::ExportLogsServiceRequest req;
  auto* rl = req.add_resource_logs();
  auto attr = [](auto* list, const std::string& k, const std::string& v) {
    auto* kv = list->Add();
    kv->set_key(k);
    kv->mutable_value()->set_string_value(v);
  };
  attr(rl->mutable_resource()->mutable_attributes(), "service.name", "checkout");
  attr(rl->mutable_resource()->mutable_attributes(), "host.name", "web-7");
  attr(rl->mutable_resource()->mutable_attributes(), "deployment.environment", "prod");
  auto* sl = rl->add_scope_logs();
  sl->mutable_scope()->set_name("shop.http");
  for (const auto& s : ss) {
    auto* r = sl->add_log_records();
    r->set_time_unix_nano(s.time);
    r->set_observed_time_unix_nano(s.time + 5);
    r->set_severity_number(s.status == 500 ? pb::logs::v1::SEVERITY_NUMBER_ERROR
                                           : pb::logs::v1::SEVERITY_NUMBER_INFO);
    r->set_severity_text(s.status == 500 ? "ERROR" : "INFO");
    r->mutable_body()->set_string_value(s.body);
    attr(r->mutable_attributes(), "user.name", s.user);
    attr(r->mutable_attributes(), "url.path", s.path);
    auto* st = r->add_attributes();
    st->set_key("http.response.status_code");
    st->mutable_value()->set_int_value(s.status);
    r->set_trace_id(raw(s.trace));
    r->set_span_id(raw(s.span));
  }
  return req;
}

std::string json_request(const std::vector<sample>& ss) {
  auto kv = [](const std::string& k, const std::string& v) {
    return R"({"key":")" + k + R"(","value":{"stringValue":")" + v + R"("}})";
  };
  std::string j = R"({"resourceLogs":[{"resource":{"attributes":[)" +
                  kv("service.name", "checkout") + "," + kv("host.name", "web-7") + "," +
                  kv("deployment.environment", "prod") +
                  R"(]},"scopeLogs":[{"scope":{"name":"shop.http"},"logRecords":[)";
  bool first = true;
  for (const auto& s : ss) {
    if (!first) j += ',';
    first = false;
    j += R"({"timeUnixNano":")" + std::to_string(s.time) + R"(","observedTimeUnixNano":")" +
         std::to_string(s.time + 5) + R"(","severityNumber":)" + (s.status == 500 ? "17" : "9") +
         R"(,"severityText":")" + (s.status == 500 ? "ERROR" : "INFO") +
         R"(","body":{"stringValue":")" + s.body + R"("},"attributes":[)" +
         kv("user.name", s.user) + "," + kv("url.path", s.path) +
         R"(,{"key":"http.response.status_code","value":{"intValue":")" + std::to_string(s.status) +
         R"("}}],"traceId":")" + s.trace + R"(","spanId":")" + s.span + R"("})";
  }
  j += "]}]}]}";
  return j;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kib() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// The HTTP handler without sockets: decode + hand-over, one request after another.
nlohmann::json run_http(const std::vector<std::string>& bodies, const char* content_type,
                        int requests) {
  boost::asio::io_context io;
  counting_sink sink;
  metrics::registry reg;
  otlp::otlp_counters counters(reg, "bench");
  otlp::http_export_options opts;
  opts.max_request_bytes = 64u << 20;
  std::uint64_t bytes = 0;
  int bad = 0;
  const auto cpu0 = cpu_seconds();
  const auto t0 = clock_type::now();
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        for (int i = 0; i < requests; ++i) {
          otlp::http_export_request req;
          req.content_type = content_type;
          req.body = bodies[static_cast<std::size_t>(i) % bodies.size()];
          req.peer = "otlp-http:127.0.0.1:1";
          req.arrival_ns = 1;
          bytes += req.body.size();
          const auto r = co_await otlp::serve_http_export(std::move(req), opts, sink, counters);
          bad += r.status != 200;
        }
      },
      boost::asio::detached);
  io.run();
  const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  const auto n = sink.events.load();
  return {{"requests", requests},
          {"records", n},
          {"failed_requests", bad},
          {"seconds", secs},
          {"records_per_s", static_cast<double>(n) / secs},
          {"records_per_cpu_s", static_cast<double>(n) / cpu},
          {"mib_per_s", static_cast<double>(bytes) / secs / (1 << 20)},
          {"request_bytes", bodies[0].size()}};
}

// Real gRPC clients on loopback into the server (client and server share the machine's cores).
nlohmann::json run_grpc(const std::vector<pb::collector::logs::v1::ExportLogsServiceRequest>& reqs,
                        int requests, int clients) {
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  auto sink = std::make_shared<counting_sink>();
  metrics::registry reg;
  otlp::grpc_server_options o;
  o.bind = "127.0.0.1";
  o.port = 0;
  o.max_request_bytes = 64u << 20;
  auto server = std::make_shared<otlp::grpc_server>(io, o, sink, otlp::otlp_counters(reg, "bench"));
  const auto port = server->start();
  std::atomic<int> next{0}, bad{0};
  const auto cpu0 = cpu_seconds();
  const auto t0 = clock_type::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      grpc::ChannelArguments args;
      args.SetMaxSendMessageSize(64 << 20);
      auto stub = pb::collector::logs::v1::LogsService::NewStub(grpc::CreateCustomChannel(
          "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), args));
      for (int i; (i = next++) < requests;) {
        grpc::ClientContext ctx;
        pb::collector::logs::v1::ExportLogsServiceResponse resp;
        if (!stub->Export(&ctx, reqs[static_cast<std::size_t>(i) % reqs.size()], &resp).ok()) ++bad;
      }
    });
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  std::promise<void> stopped;
  server->stop([&] { stopped.set_value(); });
  stopped.get_future().wait();
  guard.reset();
  io_thread.join();
  const auto n = sink->events.load();
  return {{"requests", requests},
          {"clients", clients},
          {"records", n},
          {"failed_requests", bad.load()},
          {"seconds", secs},
          {"records_per_s", static_cast<double>(n) / secs},
          {"records_per_cpu_s", static_cast<double>(n) / cpu}};
}

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// POSTs requests[i % size] on one keep-alive connection while `next` hands out indexes below
// `total`, each waiting for its response; returns how many were answered 200.
int http_client(std::uint16_t port, const std::vector<std::string>& requests,
                std::atomic<int>& next, int total) {
  const int fd = connect_to(port);
  int ok = 0;
  std::string buf;
  char tmp[4096];
  for (int i; (i = next++) < total;) {
    const auto& request = requests[static_cast<std::size_t>(i) % requests.size()];
    std::size_t off = 0;
    while (off < request.size()) {
      const auto w = ::send(fd, request.data() + off, request.size() - off, MSG_NOSIGNAL);
      if (w <= 0) throw std::runtime_error("send failed");
      off += static_cast<std::size_t>(w);
    }
    // Responses are small and carry Content-Length; read until the header and body are in.
    for (;;) {
      const auto end = buf.find("\r\n\r\n");
      if (end != std::string::npos) {
        const auto cl = buf.find("Content-Length: ");
        const std::size_t len = cl < end ? std::stoul(buf.substr(cl + 16)) : 0;
        if (buf.size() >= end + 4 + len) {
          if (buf.compare(0, 12, "HTTP/1.1 200") == 0) ++ok;
          buf.erase(0, end + 4 + len);
          break;
        }
      }
      const auto r = ::recv(fd, tmp, sizeof tmp, 0);
      if (r <= 0) throw std::runtime_error("connection closed");
      buf.append(tmp, static_cast<std::size_t>(r));
    }
  }
  ::close(fd);
  return ok;
}

// The real HTTP server and route on one io_context thread, as the receiver runs it.
nlohmann::json run_http_loopback(const std::vector<std::string>& bodies, const char* content_type,
                                 int requests, int clients) {
  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  auto sink = std::make_shared<counting_sink>();
  metrics::registry reg;
  auto counters = std::make_shared<otlp::otlp_counters>(reg, "bench");
  otlp::http_export_options eopts;
  eopts.max_request_bytes = 64u << 20;
  net::http::router routes;
  otlp::add_logs_route(routes, eopts, sink, counters);
  net::http::server_options sopts;
  sopts.bind = "127.0.0.1";
  sopts.port = 0;
  sopts.max_body = 64u << 20;
  auto server =
      std::make_shared<net::http::http_server>(io, sopts, std::move(routes), counters->common);
  const auto port = server->start();
  std::thread io_thread([&] { io.run(); });
  std::vector<std::string> wire;
  for (const auto& b : bodies)
    wire.push_back(std::string("POST /v1/logs HTTP/1.1\r\nHost: bench\r\nContent-Type: ") +
                   content_type + "\r\nContent-Length: " + std::to_string(b.size()) + "\r\n\r\n" +
                   b);
  std::atomic<int> next{0}, ok{0};
  const auto cpu0 = cpu_seconds();
  const auto t0 = clock_type::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] { ok += http_client(port, wire, next, requests); });
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  std::promise<void> stopped;
  server->stop([&] { stopped.set_value(); });
  stopped.get_future().wait();
  guard.reset();
  io_thread.join();
  const auto n = sink->events.load();
  return {{"requests", requests},
          {"clients", clients},
          {"records", n},
          {"failed_requests", requests - ok.load()},
          {"seconds", secs},
          {"records_per_s", static_cast<double>(n) / secs},
          {"records_per_cpu_s", static_cast<double>(n) / cpu},
          {"request_bytes", bodies[0].size()}};
}

}  // namespace

int main(int argc, char** argv) {
  int requests = 2000, grpc_requests = 2000, grpc_clients = 2, http_clients = 2;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--requests")) requests = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--grpc-requests")) grpc_requests = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--grpc-clients")) grpc_clients = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--http-clients")) http_clients = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--only")) only = std::string(",") + argv[i + 1] + ",";
  }
  log::threshold().store(static_cast<int>(log::level::warn));
  auto wanted = [&](const char* run) {
    return only.empty() || only.find(std::string(",") + run + ",") != std::string::npos;
  };
  std::mt19937_64 rng(2026);
  std::vector<pb::collector::logs::v1::ExportLogsServiceRequest> protos;
  std::vector<std::string> pb_bodies, json_bodies;
  for (int i = 0; i < 8; ++i) {
    const auto ss = samples(rng, records_per_request, 1'768'473'000'000'000'000ULL);
    protos.push_back(protobuf_request(ss));
    pb_bodies.push_back(protos.back().SerializeAsString());
    json_bodies.push_back(json_request(ss));
  }
  nlohmann::json out;
  out["benchmark"] = "otlp_ingest";
  out["records_per_request"] = records_per_request;
  if (wanted("http_protobuf"))
    out["http_protobuf"] = run_http(pb_bodies, "application/x-protobuf", requests);
  if (wanted("http_json")) out["http_json"] = run_http(json_bodies, "application/json", requests);
  if (wanted("http_loopback_protobuf"))
    out["http_loopback_protobuf"] =
        run_http_loopback(pb_bodies, "application/x-protobuf", requests, http_clients);
  if (wanted("http_loopback_json"))
    out["http_loopback_json"] =
        run_http_loopback(json_bodies, "application/json", requests, http_clients);
  if (wanted("grpc_loopback")) out["grpc_loopback"] = run_grpc(protos, grpc_requests, grpc_clients);
  out["peak_rss_mib"] = static_cast<double>(peak_rss_kib()) / 1024.0;
  std::cout << out.dump(2) << std::endl;
  return 0;
}
