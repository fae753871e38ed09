#pragma once
// Shared pieces of the receiver tests: a batch_sink backed by a real credit_gate that records
// what it receives (and can hold its credits to simulate backpressure), an io_context on its own
// thread, and blocking loopback clients.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "runtime/util/asio_fwd.hpp"

#include <boost/asio/executor_work_guard.hpp>

#include "runtime/ingest/batch_sink.hpp"
#include "runtime/ingest/credit_gate.hpp"
#include "runtime/model/raw_record.hpp"

namespace seerflow::test {

using namespace std::chrono_literals;

// Polls `pred` until it holds or `timeout` passes; returns its last value. Waiting is bounded so
// a broken receiver fails the test instead of hanging it; no test asserts a duration.
inline bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return pred();
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class test_sink : public ingest::batch_sink {
 public:
  // `credits` batches may be in the pipeline at once. With `hold`, the sink keeps the credit of
  // every batch it takes until release_held(); otherwise it returns each credit at once.
  explicit test_sink(std::size_t credits = 64, bool hold = false)
      : gate_(std::make_shared<ingest::credit_gate>(credits)), hold_(hold) {}

  boost::asio::awaitable<bool> submit(model::raw_batch batch) override {
    ++waiting_;
    const bool ok = co_await gate_->acquire();
    --waiting_;
    if (!ok) {
      ++refused_;
      co_return false;
    }
    take(std::move(batch));
    co_return true;
  }

  bool try_submit(model::raw_batch& batch) override {
    if (!gate_->try_acquire()) {
      ++refused_;
      return false;
    }
    take(std::move(batch));
    return true;
  }

  // Returns every held credit and stops holding.
  void release_held() {
    std::size_t n;
    {
      std::lock_guard<std::mutex> g(mtx_);
      hold_ = false;
      n = held_;
      held_ = 0;
    }
    if (n) gate_->release(n);
  }

  ingest::credit_gate& gate() { return *gate_; }
  int waiting() const { return waiting_.load(); }
  int refused() const { return refused_.load(); }

  std::size_t record_count() const {
    std::lock_guard<std::mutex> g(mtx_);
    return records_;
  }
  std::vector<model::raw_batch> batches() const {
    std::lock_guard<std::mutex> g(mtx_);
    return batches_;
  }
  std::vector<std::size_t> batch_sizes() const {
    std::lock_guard<std::mutex> g(mtx_);
    std::vector<std::size_t> out;
    for (const auto& b : batches_) out.push_back(b.records.size());
    return out;
  }
  std::vector<model::raw_record> records() const {
    std::lock_guard<std::mutex> g(mtx_);
    std::vector<model::raw_record> out;
    for (const auto& b : batches_)
      for (const auto& r : b.records) out.push_back(r);
    return out;
  }
  std::vector<std::string> data() const {
    std::vector<std::string> out;
    for (const auto& r : records()) out.push_back(r.data);
    return out;
  }
  bool wait_for_records(std::size_t n, std::chrono::milliseconds timeout = 20s) const {
    return wait_until([&] { return record_count() >= n; }, timeout);
  }

 private:
  void take(model::raw_batch&& batch) {
    bool release = false;
    {
      std::lock_guard<std::mutex> g(mtx_);
      records_ += batch.records.size();
      batches_.push_back(std::move(batch));
      if (hold_)
        ++held_;
      else
        release = true;
    }
    if (release) gate_->release(1);
  }

  std::shared_ptr<ingest::credit_gate> gate_;
  mutable std::mutex mtx_;
  bool hold_;
  std::size_t held_ = 0;
  std::size_t records_ = 0;
  std::vector<model::raw_batch> batches_;
  std::atomic<int> waiting_{0};
  std::atomic<int> refused_{0};
};

// An io_context run by `threads` threads until destruction.
class io_thread {
 public:
  explicit io_thread(int threads = 1) : guard_(boost::asio::make_work_guard(io_)) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~io_thread() {
    guard_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

// Calls server->stop and waits for on_stopped; returns how many times it was called (once, or
// 0 on timeout), after a short grace period that would reveal a second call.
template <class Server>
int stop_and_wait(Server& server, std::chrono::milliseconds timeout = 20s) {
  auto calls = std::make_shared<std::atomic<int>>(0);
  server->stop([calls] { ++*calls; });
  wait_until([&] { return calls->load() > 0; }, timeout);
  std::this_thread::sleep_for(20ms);
  return calls->load();
}

// ---- blocking loopback clients ----

class fd_holder {
 public:
  explicit fd_holder(int fd = -1) : fd_(fd) {}
  fd_holder(fd_holder&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  fd_holder& operator=(fd_holder&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  ~fd_holder() { reset(); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

inline sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

inline fd_holder tcp_connect(std::uint16_t port) {
  fd_holder fd(::socket(AF_INET, SOCK_STREAM, 0));
  if (fd.get() < 0) throw std::runtime_error("socket failed");
  const auto a = loopback(port);
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
  return fd;
}

inline void send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("send failed: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

inline std::string local_peer(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  char ip[INET_ADDRSTRLEN];
  ::inet_ntop(AF_INET, &a.sin_addr, ip, sizeof ip);
  return std::string(ip) + ":" + std::to_string(ntohs(a.sin_port));
}

// Waits until the peer closes: true on EOF or reset, false on timeout. Data sent by the server
// (none expected) is skipped.
inline bool wait_closed_by_peer(int fd, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[256];
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10) <= 0) continue;
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return true;
  }
  return false;
}

// Bound to 127.0.0.1 so that local_peer() names it as the receiver sees it.
inline fd_holder udp_socket() {
  fd_holder fd(::socket(AF_INET, SOCK_DGRAM, 0));
  if (fd.get() < 0) throw std::runtime_error("socket failed");
  const auto a = loopback(0);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
    throw std::runtime_error("bind failed");
  return fd;
}

inline void udp_send(int fd, std::uint16_t port, std::string_view data) {
  const auto a = loopback(port);
  if (::sendto(fd, data.data(), data.size(), 0, reinterpret_cast<const sockaddr*>(&a), sizeof a) <
      0)
    throw std::runtime_error(std::string("sendto failed: ") + std::strerror(errno));
}

// Runs a shell command; returns its exit status.
inline int run_command(const std::string& cmd) {
  return std::system(cmd.c_str());
}

}  // namespace seerflow::test
