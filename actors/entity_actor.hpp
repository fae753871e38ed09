#pragma once
// The entity actor: owns one entity's state (runtime/state/entity_state.hpp): its window of
// observations and its correlation (risk with decay, kill chain). Thin by design: it feeds the
// findings that arrive with each batch to the state and sends the alerts they raise to the
// alert actor.
#include <optional>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "runtime/correlate/settings.hpp"
#include "runtime/metrics/registry.hpp"
#include "runtime/state/entity_state.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

// What the directory hands every entity actor it spawns.
struct entity_actor_options {
  state::window_options window;
  correlate::settings correlation;
  system::node_context* ctx = nullptr;        // registry (the alert actor), may be null in tests
  metrics::counter* late_findings = nullptr;  // late_events{stage="correlation"}
  metrics::counter* late_observations = nullptr;  // late_events{stage="entity_window"}
  metrics::counter* lost_alerts = nullptr;        // raised while no alert actor was running
};

struct entity_actor_state {
  std::optional<state::entity_state> st;
  std::vector<model::alert> raised;  // reused per message
  static inline const char* name = "entity";
};

// `snapshot` restores a passivated entity; empty means a fresh one.
entity_actor::behavior_type entity_actor_impl(
    entity_actor::stateful_pointer<entity_actor_state> self, model::entity_ref ref,
    entity_actor_options opts, std::string snapshot);

}  // namespace seerflow::actors
