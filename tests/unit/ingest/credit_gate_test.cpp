// The credit gate between receivers and the pipeline: credits are taken and returned exactly,
// a waiting coroutine is woken by a release on another thread without ever losing a wake-up,
// close() ends every wait, and a credit_token returns its credit when its last copy goes.
// Waits are bounded so a lost wake-up fails the test instead of hanging it; no test asserts a
// duration.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "runtime/util/asio_fwd.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/strand.hpp>

#include "runtime/ingest/credit_gate.hpp"

using namespace seerflow::ingest;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

constexpr auto patience = 30s;  // only ever reached when something is broken

// An io_context run by `threads` threads until destruction.
class io_runner {
 public:
  explicit io_runner(int threads = 1) : guard_(asio::make_work_guard(io_)) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~io_runner() {
    guard_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }
  asio::io_context& io() { return io_; }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::vector<std::thread> threads_;
};

// Starts one acquire() on `ex`; the future gets its result.
template <class Executor>
std::future<bool> spawn_acquire(const Executor& ex, std::shared_ptr<credit_gate> gate) {
  auto done = std::make_shared<std::promise<bool>>();
  auto fut = done->get_future();
  asio::co_spawn(
      ex,
      [gate, done]() -> asio::awaitable<void> {
        const bool ok = co_await gate->acquire();
        done->set_value(ok);
      },
      asio::detached);
  return fut;
}

bool still_waiting(std::future<bool>& f) {
  return f.wait_for(50ms) == std::future_status::timeout;
}

// Credits handed from the coroutines to a releasing thread.
struct credit_queue {
  std::mutex mtx;
  std::condition_variable cv;
  std::size_t pending = 0;
  bool done = false;
  void push() {
    {
      std::lock_guard<std::mutex> g(mtx);
      ++pending;
    }
    cv.notify_one();
  }
};

// `coroutines` coroutines on `ex` each acquire `per_coroutine` credits; a separate thread
// returns every credit as soon as it sees it. A lost wake-up leaves a coroutine suspended for
// good, so the run does not finish.
template <class MakeExecutor>
bool run_ping_pong(std::size_t capacity, int coroutines, int per_coroutine,
                   MakeExecutor make_executor, std::shared_ptr<credit_gate>& gate_out) {
  auto gate = std::make_shared<credit_gate>(capacity);
  gate_out = gate;
  credit_queue q;
  std::atomic<int> finished{0};
  std::atomic<int> refused{0};
  std::thread releaser([&] {
    std::unique_lock<std::mutex> lock(q.mtx);
    for (;;) {
      q.cv.wait(lock, [&] { return q.pending > 0 || q.done; });
      if (q.pending == 0 && q.done) return;
      const std::size_t n = q.pending;
      q.pending = 0;
      lock.unlock();
      // Return credits one at a time, sometimes in a batch, from this (non-I/O) thread.
      if (n > 1 && n % 2 == 0) {
        gate->release(n);
      } else {
        for (std::size_t i = 0; i < n; ++i) gate->release(1);
      }
      lock.lock();
    }
  });
  for (int c = 0; c < coroutines; ++c) {
    asio::co_spawn(
        make_executor(),
        [&, gate]() -> asio::awaitable<void> {
          for (int i = 0; i < per_coroutine; ++i) {
            const bool ok = co_await gate->acquire();
            if (!ok) ++refused;
            q.push();
          }
          ++finished;
        },
        asio::detached);
  }
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (finished.load() < coroutines && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  const bool all = finished.load() == coroutines;
  {
    std::lock_guard<std::mutex> g(q.mtx);
    q.done = true;
  }
  q.cv.notify_one();
  releaser.join();
  if (!all) {
    // Let stuck coroutines finish before what they reference goes away.
    gate->close();
    while (finished.load() < coroutines) std::this_thread::sleep_for(1ms);
  }
  return all && refused.load() == 0;
}

}  // namespace

TEST_CASE("try_acquire takes credits up to capacity, release returns them") {
  auto gate = std::make_shared<credit_gate>(3);
  CHECK(gate->capacity() == 3);
  CHECK(gate->in_flight() == 0);
  CHECK_FALSE(gate->exhausted());
  CHECK(gate->try_acquire());
  CHECK(gate->in_flight() == 1);
  CHECK(gate->try_acquire());
  CHECK(gate->try_acquire());
  CHECK(gate->in_flight() == 3);
  CHECK(gate->exhausted());
  CHECK_FALSE(gate->try_acquire());
  CHECK_FALSE(gate->try_acquire());
  CHECK(gate->in_flight() == 3);
  gate->release();
  CHECK(gate->in_flight() == 2);
  CHECK_FALSE(gate->exhausted());
  CHECK(gate->try_acquire());
  CHECK_FALSE(gate->try_acquire());
  gate->release(3);
  CHECK(gate->in_flight() == 0);
  CHECK_FALSE(gate->exhausted());
}

TEST_CASE("a zero capacity is taken as one; releasing more than was taken is clamped") {
  credit_gate one(0);
  CHECK(one.capacity() == 1);
  CHECK(one.try_acquire());
  CHECK_FALSE(one.try_acquire());
  one.release(5);  // a double release is a bug elsewhere; the gate stays within capacity
  CHECK(one.in_flight() == 0);
  CHECK(one.try_acquire());
  CHECK_FALSE(one.try_acquire());
}

TEST_CASE("acquire_blocking blocks until another thread releases") {
  auto gate = std::make_shared<credit_gate>(2);
  REQUIRE(gate->try_acquire());
  REQUIRE(gate->try_acquire());
  auto fut = std::async(std::launch::async, [gate] { return gate->acquire_blocking(); });
  CHECK(still_waiting(fut));
  CHECK(gate->in_flight() == 2);
  gate->release();
  REQUIRE(fut.wait_for(patience) == std::future_status::ready);
  CHECK(fut.get());
  CHECK(gate->in_flight() == 2);  // the waiter took the returned credit
  CHECK(gate->exhausted());
  // A free credit is taken at once.
  gate->release();
  CHECK(gate->acquire_blocking());
}

TEST_CASE("acquire() suspends a coroutine until a release on another thread wakes it") {
  io_runner runner;
  auto gate = std::make_shared<credit_gate>(1);
  REQUIRE(gate->try_acquire());
  auto fut = spawn_acquire(runner.io().get_executor(), gate);
  CHECK(still_waiting(fut));
  CHECK(gate->exhausted());
  gate->release();  // from the test thread, not the io_context's
  REQUIRE(fut.wait_for(patience) == std::future_status::ready);
  CHECK(fut.get());
  CHECK(gate->in_flight() == 1);
  // With a credit free, acquire() completes without waiting.
  gate->release();
  auto now = spawn_acquire(runner.io().get_executor(), gate);
  REQUIRE(now.wait_for(patience) == std::future_status::ready);
  CHECK(now.get());
  CHECK(gate->in_flight() == 1);
}

TEST_CASE("several suspended coroutines are each woken by one released credit") {
  io_runner runner;
  auto gate = std::make_shared<credit_gate>(3);
  for (int i = 0; i < 3; ++i) REQUIRE(gate->try_acquire());
  std::vector<std::future<bool>> waiting;
  for (int i = 0; i < 5; ++i) waiting.push_back(spawn_acquire(runner.io().get_executor(), gate));
  for (auto& f : waiting) CHECK(still_waiting(f));
  gate->release(2);
  // Exactly two of the five get through.
  const auto deadline = std::chrono::steady_clock::now() + patience;
  auto ready = [&] {
    int n = 0;
    for (auto& f : waiting) n += f.wait_for(0s) == std::future_status::ready;
    return n;
  };
  while (ready() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(50ms);  // room for a wrong third wake-up to show
  CHECK(ready() == 2);
  CHECK(gate->in_flight() == 3);
  gate->release(3);
  for (auto& f : waiting) {
    REQUIRE(f.wait_for(patience) == std::future_status::ready);
    CHECK(f.get());
  }
  CHECK(gate->in_flight() == 3);
}

TEST_CASE("no lost wake-up: one coroutine, one releasing thread, many rounds") {
  io_runner runner;
  std::shared_ptr<credit_gate> gate;
  CHECK(run_ping_pong(
      1, 1, 20000, [&] { return runner.io().get_executor(); }, gate));
  CHECK(gate->wait_idle(patience));
  CHECK(gate->in_flight() == 0);
}

TEST_CASE("no lost wake-up: competing coroutines on one io thread") {
  io_runner runner;
  std::shared_ptr<credit_gate> gate;
  CHECK(run_ping_pong(
      2, 4, 5000, [&] { return runner.io().get_executor(); }, gate));
  CHECK(gate->wait_idle(patience));
  CHECK(gate->in_flight() == 0);
}

TEST_CASE("no lost wake-up: coroutines on strands of an io_context run by two threads") {
  io_runner runner(2);
  std::shared_ptr<credit_gate> gate;
  CHECK(run_ping_pong(
      2, 4, 5000, [&] { return asio::make_strand(runner.io()); }, gate));
  CHECK(gate->wait_idle(patience));
  CHECK(gate->in_flight() == 0);
}

TEST_CASE("no lost wake-up: coroutines on a plain executor of an io_context run by two threads") {
  io_runner runner(2);
  std::shared_ptr<credit_gate> gate;
  CHECK(run_ping_pong(
      1, 3, 10000, [&] { return runner.io().get_executor(); }, gate));
  CHECK(gate->wait_idle(patience));
  CHECK(gate->in_flight() == 0);
}

TEST_CASE("coroutines and plain threads share one gate without losing credits") {
  io_runner runner;
  auto gate = std::make_shared<credit_gate>(2);
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> thread_rounds{0};
  // A plain thread that grabs and returns credits as fast as it can, racing the coroutines.
  std::thread racer([&] {
    while (!stop) {
      if (gate->try_acquire()) {
        ++thread_rounds;
        gate->release();
      }
      if (gate->acquire_blocking()) gate->release();
    }
  });
  // The coroutines release their own credits through a releasing thread as in run_ping_pong.
  credit_queue q;
  std::thread releaser([&] {
    std::unique_lock<std::mutex> lock(q.mtx);
    for (;;) {
      q.cv.wait(lock, [&] { return q.pending > 0 || q.done; });
      if (q.pending == 0 && q.done) return;
      const std::size_t n = q.pending;
      q.pending = 0;
      lock.unlock();
      gate->release(n);
      lock.lock();
    }
  });
  std::atomic<int> finished{0};
  for (int c = 0; c < 3; ++c)
    asio::co_spawn(
        runner.io(),
        [&]() -> asio::awaitable<void> {
          for (int i = 0; i < 3000; ++i) {
            const bool ok = co_await gate->acquire();
            if (ok) q.push();
          }
          ++finished;
        },
        asio::detached);
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (finished < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
  CHECK(finished == 3);
  stop = true;
  racer.join();
  {
    std::lock_guard<std::mutex> g(q.mtx);
    q.done = true;
  }
  q.cv.notify_one();
  releaser.join();
  if (finished < 3) {
    gate->close();
    while (finished < 3) std::this_thread::sleep_for(1ms);
  }
  CHECK(gate->wait_idle(patience));
  CHECK(gate->in_flight() == 0);
}

TEST_CASE("close() wakes waiting coroutines and blocked threads with false") {
  io_runner runner;
  auto gate = std::make_shared<credit_gate>(1);
  REQUIRE(gate->try_acquire());
  auto c1 = spawn_acquire(runner.io().get_executor(), gate);
  auto c2 = spawn_acquire(runner.io().get_executor(), gate);
  auto t1 = std::async(std::launch::async, [gate] { return gate->acquire_blocking(); });
  CHECK(still_waiting(c1));
  CHECK(still_waiting(c2));
  CHECK(still_waiting(t1));
  gate->close();
  for (auto* f : {&c1, &c2, &t1}) {
    REQUIRE(f->wait_for(patience) == std::future_status::ready);
    CHECK_FALSE(f->get());
  }
  CHECK(gate->in_flight() == 1);  // nobody took a credit
}

TEST_CASE("after close() every acquire fails fast, even with credits free; reopen() restores") {
  io_runner runner;
  auto gate = std::make_shared<credit_gate>(2);
  gate->close();
  CHECK_FALSE(gate->try_acquire());
  CHECK_FALSE(gate->acquire_blocking());
  auto c = spawn_acquire(runner.io().get_executor(), gate);
  REQUIRE(c.wait_for(patience) == std::future_status::ready);
  CHECK_FALSE(c.get());
  CHECK(gate->in_flight() == 0);
  // Credits still come back while closed (batches in flight finish during shutdown).
  gate->reopen();
  CHECK(gate->try_acquire());
  gate->close();
  gate->release();
  CHECK(gate->in_flight() == 0);
  gate->reopen();
  auto again = spawn_acquire(runner.io().get_executor(), gate);
  REQUIRE(again.wait_for(patience) == std::future_status::ready);
  CHECK(again.get());
  CHECK(gate->acquire_blocking());
  CHECK(gate->exhausted());
  // A reopened gate makes coroutines wait again rather than fail.
  auto waits = spawn_acquire(runner.io().get_executor(), gate);
  CHECK(still_waiting(waits));
  gate->release();
  REQUIRE(waits.wait_for(patience) == std::future_status::ready);
  CHECK(waits.get());
}

TEST_CASE("an io_context that goes away with a coroutine still waiting leaves the gate usable") {
  auto gate = std::make_shared<credit_gate>(1);
  REQUIRE(gate->try_acquire());
  auto sentinel = std::make_shared<int>(0);
  std::weak_ptr<int> alive = sentinel;
  {
    io_runner runner;
    auto done = std::make_shared<std::promise<bool>>();
    auto fut = done->get_future();
    asio::co_spawn(
        runner.io(),
        [gate, done, s = std::move(sentinel)]() -> asio::awaitable<void> {
          const bool ok = co_await gate->acquire();
          done->set_value(ok);
        },
        asio::detached);
    CHECK(still_waiting(fut));
  }  // the io_context stops and is destroyed with the coroutine suspended in acquire()
  CHECK(alive.expired());  // the coroutine went with it
  // Returning the credit must not touch the dead io_context's timer.
  gate->release();
  CHECK(gate->in_flight() == 0);
  CHECK(gate->try_acquire());
  gate->release();
  // And a new io_context works with the same gate.
  io_runner runner;
  REQUIRE(gate->try_acquire());
  auto fut = spawn_acquire(runner.io().get_executor(), gate);
  CHECK(still_waiting(fut));
  gate->release();
  REQUIRE(fut.wait_for(patience) == std::future_status::ready);
  CHECK(fut.get());
}

TEST_CASE("wait_idle: true when every credit is back, false on timeout") {
  auto gate = std::make_shared<credit_gate>(2);
  CHECK(gate->wait_idle(0ms));
  REQUIRE(gate->try_acquire());
  CHECK_FALSE(gate->wait_idle(20ms));
  REQUIRE(gate->try_acquire());
  gate->release();
  CHECK_FALSE(gate->wait_idle(20ms));  // one credit is still out
  auto idle = std::async(std::launch::async, [gate] { return gate->wait_idle(patience); });
  CHECK(still_waiting(idle));
  gate->release();  // the last credit comes back from another thread
  REQUIRE(idle.wait_for(patience) == std::future_status::ready);
  CHECK(idle.get());
}

TEST_CASE("credit_token: the credit returns when the last copy is destroyed") {
  auto gate = std::make_shared<credit_gate>(2);
  REQUIRE(gate->try_acquire());
  credit_token token = make_credit_token(gate);
  CHECK(token->gate() == gate.get());
  // The batch is split across stages: each holds a copy of the token.
  std::vector<credit_token> stages{token, token, token};
  token.reset();
  CHECK(gate->in_flight() == 1);
  stages[1].reset();
  CHECK(gate->in_flight() == 1);
  stages[0].reset();
  CHECK(gate->in_flight() == 1);
  stages[2].reset();  // the last holder lets go
  CHECK(gate->in_flight() == 0);
  CHECK(gate->wait_idle(0ms));
}

TEST_CASE("credit_token: copies dropped on many threads return exactly one credit each") {
  auto gate = std::make_shared<credit_gate>(64);
  for (int round = 0; round < 50; ++round) {
    std::vector<credit_token> tokens;
    for (int b = 0; b < 64; ++b) {
      REQUIRE(gate->try_acquire());
      tokens.push_back(make_credit_token(gate));
    }
    CHECK(gate->exhausted());
    // Four "stages" each take a copy of every token and drop them on their own thread.
    std::vector<std::thread> stages;
    for (int s = 0; s < 4; ++s)
      stages.emplace_back([copies = tokens]() mutable {
        for (auto& t : copies) t.reset();
      });
    tokens.clear();
    for (auto& t : stages) t.join();
    REQUIRE(gate->in_flight() == 0);
  }
}

TEST_CASE("credit_token wakes a coroutine waiting for a credit") {
  io_runner runner;
  auto gate = std::make_shared<credit_gate>(1);
  REQUIRE(gate->try_acquire());
  auto token = make_credit_token(gate);
  auto fut = spawn_acquire(runner.io().get_executor(), gate);
  CHECK(still_waiting(fut));
  std::thread([t = std::move(token)]() mutable { t.reset(); }).join();
  REQUIRE(fut.wait_for(patience) == std::future_status::ready);
  CHECK(fut.get());
}
