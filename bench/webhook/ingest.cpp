// Webhook ingest throughput over loopback: client threads post JSON payloads (Kubernetes
// events, `records` per request) with keep-alive to a real webhook server (HTTP server, bearer
// auth, mapping into events) whose sink takes every batch and returns its credit at once.
// Prints one JSON object: requests/s and events/s.
//
//   bench_webhook_ingest [--requests N] [--records-per-request R] [--clients C] [--io-threads T]
//                        [--no-flatten]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/util/asio_fwd.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include "runtime/ingest/credit_gate.hpp"
#include "runtime/metrics/registry.hpp"
#include "runtime/util/log.hpp"
#include "runtime/webhook/webhook_server.hpp"

using namespace seerflow;
using clock_type = std::chrono::steady_clock;

namespace {

class counting_sink : public ingest::batch_sink {
 public:
  counting_sink() : gate_(std::make_shared<ingest::credit_gate>(64)) {}
  boost::asio::awaitable<bool> submit(model::raw_batch batch) override {
    const bool credit = co_await gate_->acquire();
    if (!credit) co_return false;
    events_ += batch.prepared.size();
    gate_->release(1);
    co_return true;
  }
  bool try_submit(model::raw_batch& batch) override {
    if (!gate_->try_acquire()) return false;
    events_ += batch.prepared.size();
    gate_->release(1);
    return true;
  }
  std::uint64_t events() const { return events_.load(); }

 private:
  std::shared_ptr<ingest::credit_gate> gate_;
  std::atomic<std::uint64_t> events_{0};
};

std::string make_payload(std::size_t records, std::mt19937& rng) {
  const char* reasons[] = {"BackOff", "Pulled", "Killing", "FailedScheduling", "Unhealthy"};
  const char* types[] = {"Normal", "Warning"};
  nlohmann::json items = nlohmann::json::array();
  for (std::size_t i = 0; i < records; ++i) {
    const auto r = rng();
    items.push_back(
        {{"kind", "Event"},
         {"type", types[r % 2]},
         {"reason", reasons[r % 5]},
         {"message",
          "Back-off restarting failed container app in pod api-" + std::to_string(r % 10000)},
         {"source", {{"component", "kubelet"}, {"host", "node-" + std::to_string(r % 50)}}},
         {"lastTimestamp", "2026-11-21T10:00:00Z"},
         {"involvedObject",
          {{"kind", "Pod"}, {"name", "api-" + std::to_string(r % 10000)}, {"namespace", "prod"}}}});
  }
  return nlohmann::json{{"kind", "EventList"}, {"items", items}}.dump();
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

// Sends `n` requests on one keep-alive connection, each waiting for its response; returns the
// count of 200 answers.
std::uint64_t client(std::uint16_t port, const std::string& request, std::uint64_t n) {
  const int fd = connect_to(port);
  std::uint64_t ok = 0;
  std::string buf;
  char tmp[4096];
  for (std::uint64_t i = 0; i < n; ++i) {
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

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t requests = 20000;
  std::size_t records = 64;
  int clients = 4;
  int io_threads = 1;
  bool flatten = true;
  for (int i = 1; i < argc; ++i)
    if (std::string(argv[i]) == "--no-flatten") flatten = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--requests") requests = std::stoull(argv[i + 1]);
    if (a == "--records-per-request") records = std::stoul(argv[i + 1]);
    if (a == "--clients") clients = std::stoi(argv[i + 1]);
    if (a == "--io-threads") io_threads = std::stoi(argv[i + 1]);
  }
  log::threshold().store(static_cast<int>(log::level::warn));

  boost::asio::io_context io;
  auto guard = boost::asio::make_work_guard(io);
  metrics::registry reg;
  net::receiver_counters counters(reg, "bench");
  auto sink = std::make_shared<counting_sink>();

  webhook::mapping_spec m;
  m.records = "items";
  m.message = "{reason}: {message}";
  m.host = "source.host";
  m.app = "involvedObject.name";
  m.severity = "type";
  m.timestamp = "lastTimestamp";
  m.fields = {{"namespace", "involvedObject.namespace"}};
  m.flatten = flatten;
  std::string err;
  auto mapper = webhook::webhook_mapper::compile(m, "k8s", {}, err);
  if (!mapper) throw std::runtime_error(err);
  webhook::auth_spec auth;
  auth.kind = webhook::auth_kind::bearer;
  auth.token = "bench-token";
  auto ep = std::make_shared<webhook::webhook_endpoint>("/hooks/k8s", auth, std::move(*mapper),
                                                        sink, counters);
  net::http::server_options o;
  o.bind = "127.0.0.1";
  o.port = 0;
  o.max_body = 16u << 20;
  webhook::webhook_server server(io, o, {ep}, counters);
  const auto port = server.start();
  std::vector<std::thread> io_pool;
  for (int i = 0; i < io_threads; ++i) io_pool.emplace_back([&] { io.run(); });

  std::mt19937 rng(42);
  const auto body = make_payload(records, rng);
  const std::string request =
      "POST /hooks/k8s HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer "
      "bench-token\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;

  std::atomic<std::uint64_t> ok{0};
  const auto t0 = clock_type::now();
  std::vector<std::thread> cs;
  for (int c = 0; c < clients; ++c) {
    const auto share = requests / clients + (static_cast<std::uint64_t>(c) < requests % clients);
    cs.emplace_back([&, share] { ok += client(port, request, share); });
  }
  for (auto& t : cs) t.join();
  const double secs = std::chrono::duration<double>(clock_type::now() - t0).count();

  std::atomic<bool> stopped{false};
  server.stop([&] { stopped = true; });
  while (!stopped) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  guard.reset();
  io.stop();
  for (auto& t : io_pool) t.join();

  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  nlohmann::ordered_json out;
  out["bench"] = "webhook_ingest";
  out["requests"] = requests;
  out["records_per_request"] = records;
  out["body_bytes"] = body.size();
  out["clients"] = clients;
  out["io_threads"] = io_threads;
  out["flatten"] = flatten;
  out["ok_responses"] = ok.load();
  out["events_received"] = sink->events();
  out["seconds"] = secs;
  out["requests_per_s"] = static_cast<double>(ok.load()) / secs;
  out["events_per_s"] = static_cast<double>(sink->events()) / secs;
  out["mb_per_s"] = static_cast<double>(ok.load() * body.size()) / secs / 1e6;
  // The machine is shared: CPU time says what the work costs when others compete for cores.
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  out["process_cpu_seconds"] = cpu;
  out["events_per_cpu_s"] = static_cast<double>(sink->events()) / cpu;
  out["peak_rss_mb"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
  std::cout << out.dump(2) << std::endl;
  return ok.load() == requests ? 0 : 1;
}
