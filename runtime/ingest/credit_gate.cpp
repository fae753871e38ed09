#include "runtime/ingest/credit_gate.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>

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

asio::awaitable<bool> credit_gate::acquire() {
  std::shared_ptr<asio::steady_timer> timer;
  for (;;) {
    {
      std::lock_guard<std::mutex> guard(mtx_);
      if (closed_) co_return false;
      if (available_ > 0) {
        --available_;
        co_return true;
      }
    }
    if (!timer) {
      auto ex = co_await asio::this_coro::executor;
      timer = std::make_shared<asio::steady_timer>(ex);
    }
    // Suspend, then look again. The wait is started from inside the initiation, under the lock,
    // after re-checking: a release in between is not missed, and the waker cancels the timer
    // under the same lock, never concurrently with the async_wait (whatever the executor: a
    // strand, or an io_context run by several threads). The pending wait belongs to the
    // io_context, so its shutdown still destroys a coroutine that is never woken.
    // (The initiation and the awaitable are named, not temporaries of the co_await expression:
    // g++ 12 destroys such temporaries twice when they own something, here the timer.)
    auto start_wait = [this, timer](auto handler) {
      std::lock_guard<std::mutex> guard(mtx_);
      if (closed_ || available_ > 0) {
        timer->expires_at(asio::steady_timer::time_point::min());  // completes at once
      } else {
        timer->expires_at(asio::steady_timer::time_point::max());
        waiters_.push_back(timer);
      }
      timer->async_wait(std::move(handler));
    };
    boost::system::error_code ec;
    auto token = asio::redirect_error(asio::use_awaitable, ec);
    auto wait = asio::async_initiate<decltype(token), void(boost::system::error_code)>(
        std::move(start_wait), token);
    co_await std::move(wait);
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
  while (n > 0 && !waiters_.empty()) {
    const auto timer = waiters_.front().lock();
    waiters_.pop_front();
    if (!timer) continue;  // its coroutine was destroyed with its io_context
    timer->cancel();       // completes its wait with operation_aborted
    --n;
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
