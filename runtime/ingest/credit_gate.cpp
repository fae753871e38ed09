#include "runtime/ingest/credit_gate.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>

namespace seerflow::ingest {

namespace asio = boost::asio;

credit_gate::credit_gate(std::size_t capacity)
    : capacity_(capacity == 0 ? 1 : capacity), available_(capacity_) {}

bool credit_gate::try_acquire() {
  std::lock_guard<std::mutex> guard(mtx_);
  if (closed_ || available_ == 0) return false;
  --available_;
  return true;
}

template <class Handler>
struct credit_gate::parked final : credit_gate::waiter {
  explicit parked(Handler h) : handler(std::move(h)) {}
  // Posted, never run inline: the waker holds the gate's lock and may be on any thread.
  void resume() override { asio::post(std::move(handler)); }
  Handler handler;
};

asio::awaitable<bool> credit_gate::acquire() {
  for (;;) {
    {
      std::lock_guard<std::mutex> guard(mtx_);
      if (closed_) co_return false;
      if (available_ > 0) {
        --available_;
        co_return true;
      }
    }
    // Suspend, then look again. The handler is parked from inside the initiation, which runs
    // once this coroutine has suspended, and it re-checks under the lock: a release in between
    // is not missed, and a waker on another thread never touches anything the coroutine is still
    // using (whatever the executor: a strand, or an io_context run by several threads).
    co_await asio::async_initiate<const asio::use_awaitable_t<>&, void()>(
        [this](auto handler) {
          std::unique_lock<std::mutex> lock(mtx_);
          if (closed_ || available_ > 0) {
            lock.unlock();
            asio::post(std::move(handler));
            return;
          }
          waiters_.push_back(std::make_unique<parked<decltype(handler)>>(std::move(handler)));
        },
        asio::use_awaitable);
  }
}

bool credit_gate::acquire_blocking() {
  std::unique_lock<std::mutex> lock(mtx_);
  credit_cv_.wait(lock, [this] { return closed_ || available_ > 0; });
  if (closed_) return false;
  --available_;
  return true;
}

void credit_gate::wake_locked(std::size_t n) {
  credit_cv_.notify_all();
  // Wake one waiter per returned credit, oldest first; a woken waiter that loses the race to
  // another taker simply parks again.
  while (n-- > 0 && !waiters_.empty()) {
    waiters_.front()->resume();
    waiters_.pop_front();
  }
}

void credit_gate::release(std::size_t n) {
  std::lock_guard<std::mutex> guard(mtx_);
  available_ += n;
  if (available_ > capacity_) available_ = capacity_;  // defensive: double release is a bug
  wake_locked(n);
  if (available_ == capacity_) idle_cv_.notify_all();
}

void credit_gate::close() {
  std::lock_guard<std::mutex> guard(mtx_);
  closed_ = true;
  wake_locked(waiters_.size());
}

void credit_gate::reopen() {
  std::lock_guard<std::mutex> guard(mtx_);
  closed_ = false;
}

std::size_t credit_gate::in_flight() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return capacity_ - available_;
}

bool credit_gate::exhausted() const {
  std::lock_guard<std::mutex> guard(mtx_);
  return available_ == 0;
}

bool credit_gate::wait_idle(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mtx_);
  return idle_cv_.wait_for(lock, timeout, [this] { return available_ == capacity_; });
}

}  // namespace seerflow::ingest
