#include "runtime/ingest/credit_gate.hpp"

#include <boost/asio/post.hpp>
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
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    std::shared_ptr<asio::steady_timer> timer;
    {
      std::lock_guard<std::mutex> guard(mtx_);
      if (closed_) co_return false;
      if (available_ > 0) {
        --available_;
        co_return true;
      }
      timer = std::make_shared<asio::steady_timer>(ex, asio::steady_timer::time_point::max());
      waiters_.push_back({timer, ex});
    }
    // The wake-up is posted to this coroutine's executor, so it cannot race with async_wait:
    // setting the expiry to the past either cancels the pending wait or makes it complete at once.
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
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
  // Wake one waiter per returned credit; a woken waiter that loses the race simply waits again.
  while (n-- > 0 && !waiters_.empty()) {
    auto w = std::move(waiters_.back());
    waiters_.pop_back();
    asio::post(w.executor,
               [t = std::move(w.timer)] { t->expires_at(asio::steady_timer::time_point::min()); });
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
