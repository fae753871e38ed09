#pragma once
// The live children of a supervising actor, shared with the actor's exit hook so that however
// the parent ends (ordered stop, escalation, kill), its children end with it.
//
// Why not CAF links: an exit with reason `kill` cannot be trapped, so a linked child that is
// killed would take its supervisor down with it; and CAF 0.17 does not echo an exit the parent
// itself sent back over the link. Parents therefore monitor children (every termination is
// reported by a down message) and stop them explicitly through this set.
#include <memory>
#include <mutex>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/error.hpp>
#include <caf/exit_reason.hpp>
#include <caf/message_id.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>

namespace seerflow::actors {

class child_set {
 public:
  void add(const caf::actor& child) {
    std::lock_guard<std::mutex> guard(mtx_);
    children_[child.address()] = child;
  }
  void remove(const caf::actor_addr& child) {
    std::lock_guard<std::mutex> guard(mtx_);
    children_.erase(child);
  }
  // Stops every child still registered; called when the parent terminates.
  void stop_all(const caf::error& parent_reason) {
    std::unordered_map<caf::actor_addr, caf::actor> victims;
    {
      std::lock_guard<std::mutex> guard(mtx_);
      victims.swap(children_);
    }
    const caf::error reason = parent_reason && parent_reason != caf::exit_reason::normal
                                  ? parent_reason
                                  : caf::make_error(caf::exit_reason::user_shutdown);
    for (auto& [addr, child] : victims)
      child->enqueue(nullptr, caf::make_message_id(),
                     caf::make_message(caf::exit_msg{child.address(), reason}), nullptr);
  }

  // Creates the set and arranges for stop_all when `self` terminates.
  template <class Self>
  static std::shared_ptr<child_set> attach_to(Self* self) {
    auto set = std::make_shared<child_set>();
    self->attach_functor([set](const caf::error& reason) { set->stop_all(reason); });
    return set;
  }

 private:
  std::mutex mtx_;
  std::unordered_map<caf::actor_addr, caf::actor> children_;
};

}  // namespace seerflow::actors
