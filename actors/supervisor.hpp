#pragma once
// Supervisors from config: start children in order, restart them by strategy (one_for_one,
// one_for_all, rest_for_one) within a restart intensity, give up and escalate beyond it, and stop
// them in reverse order on shutdown. CAF provides monitors;
// the policy is ours. Children are monitored, not linked (see actors/child_set.hpp).
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/actors.hpp"
#include "actors/catalog.hpp"
#include "actors/child_set.hpp"
#include "runtime/system/restart_budget.hpp"

namespace seerflow::actors {

struct supervisor_state {
  struct child {
    const config::tree_node* spec = nullptr;
    caf::actor handle;
    bool running = false;
    bool stopping = false;  // we asked it to stop; its exit is not a failure
    bool finished = false;  // a temporary/transient child that ended for good
    std::uint64_t restarts = 0;
  };
  enum class phase : std::uint8_t { running, restarting, shutting_down, giving_up };

  system::node_context* ctx = nullptr;
  const catalog* cat = nullptr;
  const config::tree_node* spec = nullptr;
  std::string parent;
  std::vector<child> children;
  std::vector<std::size_t> restart_set;  // children to start once the stopping ones have exited
  system::restart_budget budget{0, std::chrono::seconds(1)};
  phase ph = phase::running;
  std::uint64_t total_restarts = 0;
  std::shared_ptr<child_set> live;  // stopped when this supervisor ends, however it ends
  static inline const char* name = "supervisor";
};

// `spec` must outlive the actor (the app keeps the settings alive).
caf::behavior supervisor_impl(caf::stateful_actor<supervisor_state>* self,
                              system::node_context* ctx, const catalog* cat,
                              const config::tree_node* spec, std::string parent);

// The error a supervisor exits with when it gives up.
caf::error escalation_error(const std::string& supervisor);

}  // namespace seerflow::actors
