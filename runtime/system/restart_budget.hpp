#pragma once
// Restart intensity, as in Erlang/OTP: a supervisor may restart children at most
// `max_restarts` times within `within`; one more and it gives up and escalates to its parent.
#include <chrono>
#include <cstddef>
#include <deque>

namespace seerflow::system {

class restart_budget {
 public:
  using clock = std::chrono::steady_clock;

  restart_budget(int max_restarts, std::chrono::nanoseconds within)
      : max_(max_restarts < 0 ? 0 : static_cast<std::size_t>(max_restarts)), within_(within) {}

  // Records a restart at `now`. False means the intensity is exceeded: give up.
  // The window is (now - within, now]; the restart being recorded always counts, even in a
  // window of zero length.
  bool allow(clock::time_point now) {
    while (!stamps_.empty() && stamps_.front() <= now - within_) stamps_.pop_front();
    stamps_.push_back(now);
    return stamps_.size() <= max_;
  }

  std::size_t recent() const { return stamps_.size(); }

 private:
  std::size_t max_;
  std::chrono::nanoseconds within_;
  std::deque<clock::time_point> stamps_;
};

}  // namespace seerflow::system
