// Syslog ingest throughput: a forked generator process sends realistic syslog lines over TCP
// (several connections, LF and octet-counted framing) and then over UDP to the two receivers,
// whose sink takes every batch and returns its credit at once. Prints one JSON object.
//
//   bench_net_syslog_ingest [--tcp-records N] [--tcp-connections K] [--udp-records N]
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/util/asio_fwd.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include "runtime/ingest/credit_gate.hpp"
#include "runtime/metrics/registry.hpp"
#include "runtime/net/tcp_syslog_server.hpp"
#include "runtime/net/udp_syslog_server.hpp"
#include "runtime/util/log.hpp"

using namespace seerflow;
using clock_type = std::chrono::steady_clock;

namespace {

// Counts what it receives; each credit comes back as soon as the batch is taken, as with a
// pipeline that keeps up.
class counting_sink : public ingest::batch_sink {
 public:
  counting_sink() : gate_(std::make_shared<ingest::credit_gate>(64)) {}

  boost::asio::awaitable<bool> submit(model::raw_batch batch) override {
    const bool credit = co_await gate_->acquire();
    if (!credit) co_return false;
    take(batch);
    gate_->release(1);
    co_return true;
  }
  bool try_submit(model::raw_batch& batch) override {
    if (!gate_->try_acquire()) return false;
    take(batch);
    gate_->release(1);
    return true;
  }

  std::uint64_t records() const { return records_.load(); }
  std::uint64_t bytes() const { return bytes_.load(); }
  double seconds() const {
    return std::chrono::duration<double>(last_.load() - first_.load()).count();
  }

 private:
  void take(model::raw_batch& batch) {
    const auto now = clock_type::now().time_since_epoch();
    if (records_.load(std::memory_order_relaxed) == 0) first_.store(now);
    last_.store(now);
    std::uint64_t b = 0;
    for (const auto& r : batch.records) b += r.data.size();
    bytes_ += b;
    records_ += batch.records.size();
    batch.records.clear();
  }

  std::shared_ptr<ingest::credit_gate> gate_;
  std::atomic<std::uint64_t> records_{0}, bytes_{0};
  std::atomic<clock_type::duration> first_{}, last_{};
};

// A few thousand distinct, realistic lines: RFC 3164 and RFC 5424, sshd, sudo, kernel, nginx,
// postgres, systemd, cron; 80 to 300 bytes.
std::vector<std::string> make_lines(std::size_t n) {
  std::mt19937 rng(42);
  const char* hosts[] = {"web-01", "web-02", "db-primary", "bastion", "k8s-node-7", "edge-fw"};
  const char* users[] = {"alice", "bob", "root", "deploy", "postgres", "admin", "guest"};
  const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun"};
  auto ip = [&] {
    return std::to_string(10 + rng() % 200) + "." + std::to_string(rng() % 256) + "." +
           std::to_string(rng() % 256) + "." + std::to_string(1 + rng() % 254);
  };
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string host = hosts[rng() % 6];
    const std::string user = users[rng() % 7];
    const int pid = 1000 + static_cast<int>(rng() % 60000);
    std::string msg, app;
    switch (rng() % 7) {
      case 0:
        app = "sshd";
        msg = "Accepted publickey for " + user + " from " + ip() + " port " +
              std::to_string(1024 + rng() % 60000) +
              " ssh2: ED25519 SHA256:" + std::to_string(rng()) + std::to_string(rng());
        break;
      case 1:
        app = "sshd";
        msg = "Failed password for invalid user " + user + std::to_string(rng() % 100) + " from " +
              ip() + " port " + std::to_string(1024 + rng() % 60000) + " ssh2";
        break;
      case 2:
        app = "sudo";
        msg = user + " : TTY=pts/" + std::to_string(rng() % 9) + " ; PWD=/home/" + user +
              " ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx.service";
        break;
      case 3:
        app = "kernel";
        msg = "[" + std::to_string(rng() % 900000) + "." + std::to_string(rng() % 999999) +
              "] Out of memory: Killed process " + std::to_string(pid) +
              " (java) total-vm:" + std::to_string(rng() % 9000000) +
              "kB, anon-rss:" + std::to_string(rng() % 900000) +
              "kB, file-rss:0kB, shmem-rss:0kB, UID:1001 pgtables:" + std::to_string(rng() % 9000) +
              "kB oom_score_adj:0";
        break;
      case 4:
        app = "nginx";
        msg = ip() + " - - [01/Jun/2024:12:" + std::to_string(10 + rng() % 50) + ":" +
              std::to_string(10 + rng() % 50) + " +0000] \"GET /api/v1/orders/" +
              std::to_string(rng() % 100000) + " HTTP/1.1\" " + (rng() % 10 ? "200" : "502") + " " +
              std::to_string(rng() % 50000) +
              " \"-\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\"";
        break;
      case 5:
        app = "postgres";
        msg = "[" + std::to_string(pid) + "] LOG:  duration: " + std::to_string(rng() % 5000) +
              "." + std::to_string(rng() % 999) +
              " ms  statement: SELECT * FROM orders WHERE id = " + std::to_string(rng() % 1000000);
        break;
      default:
        app = "CRON";
        msg = "(" + user + ") CMD (/usr/local/bin/backup.sh --target s3://backups/" + host + ")";
        break;
    }
    const int pri = 8 * static_cast<int>(1 + rng() % 4) + static_cast<int>(rng() % 8);
    char ts[64];
    if (rng() % 2) {
      std::snprintf(ts, sizeof ts, "%s %2d %02d:%02d:%02d", months[rng() % 6],
                    static_cast<int>(1 + rng() % 28), static_cast<int>(rng() % 24),
                    static_cast<int>(rng() % 60), static_cast<int>(rng() % 60));
      out.push_back("<" + std::to_string(pri) + ">" + ts + " " + host + " " + app + "[" +
                    std::to_string(pid) + "]: " + msg);
    } else {
      std::snprintf(ts, sizeof ts, "2024-06-%02dT%02d:%02d:%02d.%03dZ",
                    static_cast<int>(1 + rng() % 28), static_cast<int>(rng() % 24),
                    static_cast<int>(rng() % 60), static_cast<int>(rng() % 60),
                    static_cast<int>(rng() % 1000));
      out.push_back("<" + std::to_string(pri) + ">1 " + ts + " " + host + " " + app + " " +
                    std::to_string(pid) + " - - " + msg);
    }
  }
  return out;
}

void send_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const auto k = ::send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0) {
      if (errno == EINTR) continue;
      std::perror("generator send");
      _exit(2);
    }
    p += k;
    n -= static_cast<std::size_t>(k);
  }
}

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// The generator process: TCP first (one thread per connection), then UDP with sendmmsg.
[[noreturn]] void generate(const std::vector<std::string>& lines, std::uint16_t tcp_port,
                           std::uint16_t udp_port, std::uint64_t tcp_records, int connections,
                           std::uint64_t udp_records, int done_pipe) {
  // Each connection sends the line set over and over; every other connection octet-counts.
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      std::string block;
      for (const auto& l : lines) block += c % 2 ? std::to_string(l.size()) + " " + l : l + "\n";
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      const auto a = loopback(tcp_port);
      if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) _exit(3);
      std::uint64_t share =
          tcp_records / connections + (c < static_cast<int>(tcp_records % connections));
      while (share >= lines.size()) {
        send_all(fd, block.data(), block.size());
        share -= lines.size();
      }
      // The remainder: the first `share` lines of the block.
      std::size_t cut = 0;
      for (std::size_t i = 0; i < share; ++i)
        cut += c % 2 ? std::to_string(lines[i].size()).size() + 1 + lines[i].size()
                     : lines[i].size() + 1;
      send_all(fd, block.data(), cut);
      ::shutdown(fd, SHUT_WR);
      char b;
      while (::recv(fd, &b, 1, 0) > 0) {
      }
      ::close(fd);
    });
  }
  for (auto& t : threads) t.join();
  char tcp_done = 't';
  if (::write(done_pipe, &tcp_done, 1) != 1) _exit(4);

  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  const auto a = loopback(udp_port);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) _exit(5);
  constexpr std::size_t burst = 64;
  std::vector<mmsghdr> msgs(burst);
  std::vector<iovec> iov(burst);
  std::uint64_t sent = 0, next = 0;
  while (sent < udp_records) {
    const std::size_t n = std::min<std::uint64_t>(burst, udp_records - sent);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& l = lines[next++ % lines.size()];
      iov[i] = {const_cast<char*>(l.data()), l.size()};
      msgs[i] = {};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int k = ::sendmmsg(fd, msgs.data(), static_cast<unsigned>(n), 0);
    if (k < 0) {
      if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) continue;
      std::perror("generator sendmmsg");
      _exit(6);
    }
    sent += static_cast<std::uint64_t>(k);
  }
  ::close(fd);
  char udp_done = 'u';
  if (::write(done_pipe, &udp_done, 1) != 1) _exit(7);
  _exit(0);
}

double thread_cpu_seconds(pthread_t t) {
  clockid_t cid;
  if (pthread_getcpuclockid(t, &cid) != 0) return 0;
  timespec ts{};
  clock_gettime(cid, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

bool wait_for(const std::function<bool()>& pred, std::chrono::seconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  while (!pred()) {
    if (clock_type::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t tcp_records = 4'000'000, udp_records = 1'000'000;
  int connections = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--tcp-records")
      tcp_records = std::stoull(argv[i + 1]);
    else if (k == "--udp-records")
      udp_records = std::stoull(argv[i + 1]);
    else if (k == "--tcp-connections")
      connections = std::stoi(argv[i + 1]);
  }
  log::threshold().store(static_cast<int>(log::level::error));

  const auto lines = make_lines(8192);
  std::uint64_t line_bytes = 0;
  for (const auto& l : lines) line_bytes += l.size();

  boost::asio::io_context io;
  metrics::registry reg;
  net::receiver_counters tcp_counters(reg, "bench-tcp");
  net::receiver_counters udp_counters(reg, "bench-udp");
  auto tcp_sink = std::make_shared<counting_sink>();
  auto udp_sink = std::make_shared<counting_sink>();
  net::tcp_server_options topt;
  topt.bind = "127.0.0.1";
  topt.port = 0;
  net::udp_server_options uopt;
  uopt.bind = "127.0.0.1";
  uopt.port = 0;
  auto tcp = std::make_shared<net::tcp_syslog_server>(io, topt, tcp_sink, tcp_counters);
  auto udp = std::make_shared<net::udp_syslog_server>(io, uopt, udp_sink, udp_counters);
  const auto tcp_port = tcp->start();
  const auto udp_port = udp->start();

  // Fork before any thread exists; the generator gets its own process (and core).
  int pipefd[2];
  if (::pipe(pipefd) != 0) return 1;
  const pid_t child = ::fork();
  if (child == 0) {
    ::close(pipefd[0]);
    generate(lines, tcp_port, udp_port, tcp_records, connections, udp_records, pipefd[1]);
  }
  ::close(pipefd[1]);

  auto guard = boost::asio::make_work_guard(io);
  std::thread io_thread([&] { io.run(); });
  const auto io_handle = io_thread.native_handle();

  nlohmann::json out;
  out["generator"] = {{"distinct_lines", lines.size()},
                      {"mean_line_bytes", static_cast<double>(line_bytes) / lines.size()}};

  // TCP: from the first record taken to the last.
  const double cpu0 = thread_cpu_seconds(io_handle);
  const bool tcp_ok =
      wait_for([&] { return tcp_sink->records() >= tcp_records; }, std::chrono::seconds(600));
  const double tcp_cpu = thread_cpu_seconds(io_handle) - cpu0;
  char phase = 0;
  if (::read(pipefd[0], &phase, 1) != 1 || phase != 't') return 1;
  const double tcp_s = tcp_sink->seconds();
  out["tcp"] = {{"complete", tcp_ok},
                {"connections", connections},
                {"records", tcp_sink->records()},
                {"seconds", tcp_s},
                {"records_per_s", tcp_sink->records() / tcp_s},
                {"mb_per_s", tcp_counters.bytes_received.value() / tcp_s / 1e6},
                {"receiver_cpu_s", tcp_cpu},
                {"records_per_receiver_cpu_s", tcp_sink->records() / tcp_cpu},
                {"rejected", tcp_counters.records_rejected().total()}};

  // UDP: the generator sends as fast as it can; the kernel drops what the receiver cannot take.
  const double cpu1 = thread_cpu_seconds(io_handle);
  if (::read(pipefd[0], &phase, 1) != 1 || phase != 'u') return 1;
  int status = 0;
  ::waitpid(child, &status, 0);
  // Kernel drops are reported with the next datagram: settle with paced sentinels.
  const int probe = ::socket(AF_INET, SOCK_DGRAM, 0);
  const auto ua = loopback(udp_port);
  std::uint64_t sentinels = 0;
  auto accounted = [&] {
    return udp_counters.records_received.value() + udp_counters.records_dropped().total() +
           udp_counters.records_rejected().total();
  };
  for (int i = 0; i < 100 && accounted() != udp_records + sentinels; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (accounted() == udp_records + sentinels) break;
    ::sendto(probe, "<13>sentinel", 12, 0, reinterpret_cast<const sockaddr*>(&ua), sizeof ua);
    ++sentinels;
  }
  ::close(probe);
  const double udp_cpu = thread_cpu_seconds(io_handle) - cpu1;

  // Stopping hands over the last partial batches, so the sink totals are final afterwards.
  std::atomic<int> stopped{0};
  tcp->stop([&] { ++stopped; });
  udp->stop([&] { ++stopped; });
  wait_for([&] { return stopped == 2; }, std::chrono::seconds(10));
  guard.reset();
  io_thread.join();

  const double udp_s = udp_sink->seconds();
  out["udp"] = {{"sent", udp_records + sentinels},
                {"received", udp_counters.records_received.value()},
                {"delivered_to_sink", udp_sink->records()},
                {"dropped_kernel_buffer", udp_counters.records_dropped().value("kernel_buffer")},
                {"dropped_backpressure", udp_counters.records_dropped().value("backpressure")},
                {"accounted_exactly", accounted() == udp_records + sentinels},
                {"seconds", udp_s},
                {"records_per_s", udp_sink->records() / udp_s},
                {"receiver_cpu_s", udp_cpu}};

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  out["receiver_peak_rss_mb"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
  out["generator_exit_status"] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::cout << out.dump(2) << std::endl;
  return tcp_ok ? 0 : 1;
}
