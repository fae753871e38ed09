#pragma once
// Supervising actors link their children (so children die with them) and also monitor them
// (CAF 0.17 does not echo an exit back over a link when the parent itself sent the exit, so only
// a monitor reliably reports every termination). A child's exit and down messages may arrive in
// either order; this remembers the last children that went down so their late exit message is
// recognised and not mistaken for the parent telling us to stop.
#include <algorithm>
#include <cstddef>
#include <deque>

#include <caf/actor_addr.hpp>

namespace seerflow::actors {

class recent_exits {
public:
  void add(const caf::actor_addr& a) {
    if (ring_.size() == capacity) ring_.pop_front();
    ring_.push_back(a);
  }
  bool contains(const caf::actor_addr& a) const {
    return std::find(ring_.begin(), ring_.end(), a) != ring_.end();
  }

private:
  static constexpr std::size_t capacity = 256;
  std::deque<caf::actor_addr> ring_;
};

}  // namespace seerflow::actors
