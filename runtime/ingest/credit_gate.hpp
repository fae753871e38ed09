#pragma once
// Credit-based flow control between a receiver and the pipeline behind it. A batch may enter the
// pipeline only with a credit; the credit comes back when the last stage holding any part of the
// batch lets go of it (see credit_token). So at most `capacity` batches per source are anywhere
// in the pipeline, which bounds every mailbox behind the receiver (CAF 0.17's are unbounded).
//
// Receivers are Asio coroutines, pipeline stages are CAF actors on other threads: acquire() only
// suspends a coroutine, release() is callable from any thread.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>

#include "runtime/util/asio_fwd.hpp"

#include <boost/asio/steady_timer.hpp>

namespace seerflow::ingest {

class credit_gate : public std::enable_shared_from_this<credit_gate> {
 public:
  explicit credit_gate(std::size_t capacity);

  // Takes a credit if one is free right now.
  bool try_acquire();

  // Suspends the calling coroutine until a credit is free, then takes it. Returns false if the
  // gate was closed meanwhile (shutdown), in which case no credit was taken.
  boost::asio::awaitable<bool> acquire();

  // Blocks the calling plain thread (never an I/O or actor thread) until a credit is free.
  // Returns false if the gate was closed.
  bool acquire_blocking();

  // Returns credits; wakes waiting coroutines on their own executors.
  void release(std::size_t n = 1);

  // Wakes all waiters with `false` and makes future acquire() calls fail fast.
  void close();
  void reopen();

  std::size_t capacity() const { return capacity_; }
  std::size_t in_flight() const;
  // No credit is free: whoever feeds this gate is waiting for the pipeline to finish something.
  bool exhausted() const;

  // Blocks the calling (non-I/O, non-actor) thread until every credit is back or the timeout
  // passes. Used by ordered shutdown to know the pipeline has drained.
  bool wait_idle(std::chrono::milliseconds timeout);

 private:
  void wake_locked(std::size_t n);

  const std::size_t capacity_;
  mutable std::mutex mtx_;
  std::condition_variable idle_cv_;
  std::condition_variable credit_cv_;
  std::size_t available_;
  bool closed_ = false;
  // Timers of suspended acquire() calls, oldest first. A waiter's async_wait and the waker's
  // cancel() both run under mtx_, so a timer is never touched by two threads at once. The
  // coroutine owns its timer: if its io_context goes away first, the entry simply expires.
  std::deque<std::weak_ptr<boost::asio::steady_timer>> waiters_;
};

// Holding a lease means holding one credit. The last copy of the token returns it, wherever
// that happens: after the store committed, after an actor crashed with the batch in its mailbox,
// or when a message is dropped. No path can leak a credit.
class credit_lease {
 public:
  explicit credit_lease(std::shared_ptr<credit_gate> gate) : gate_(std::move(gate)) {}
  credit_lease(const credit_lease&) = delete;
  credit_lease& operator=(const credit_lease&) = delete;
  ~credit_lease() {
    if (gate_) gate_->release(1);
  }
  const credit_gate* gate() const { return gate_.get(); }

 private:
  std::shared_ptr<credit_gate> gate_;
};

using credit_token = std::shared_ptr<credit_lease>;

inline credit_token make_credit_token(std::shared_ptr<credit_gate> gate) {
  return std::make_shared<credit_lease>(std::move(gate));
}

}  // namespace seerflow::ingest
