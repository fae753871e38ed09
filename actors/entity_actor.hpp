#pragma once
// The entity actor: owns one entity's state (runtime/state/entity_state.hpp). Thin by design.
#include <optional>
#include <string>

#include "actors/actors.hpp"
#include "runtime/state/entity_state.hpp"

namespace seerflow::actors {

struct entity_actor_state {
  std::optional<state::entity_state> st;
  static inline const char* name = "entity";
};

// `snapshot` restores a passivated entity; empty means a fresh one.
entity_actor::behavior_type entity_actor_impl(
    entity_actor::stateful_pointer<entity_actor_state> self, model::entity_ref ref,
    state::window_options opts, std::string snapshot);

}  // namespace seerflow::actors
