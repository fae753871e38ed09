#pragma once
// The entity actor: owns one entity's state (runtime/state/entity_state.hpp): its window of
// observations and its correlation (risk with decay, kill chain), and the Sigma correlation
// windows grouped by this entity (rules/match/entity_correlations.hpp). Thin by design: it feeds
// what arrives with each batch to them and sends the alerts they raise to the alert actor.
#include <optional>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "rules/match/entity_correlations.hpp"
#include "runtime/correlate/held_findings.hpp"
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
  // Routed correlation matches whose rule is gone or changed since they were routed.
  metrics::counter* stale_correlations = nullptr;
  metrics::counter* late_correlations = nullptr;  // matches later than their window
  // Held findings applied without a correlation verdict they waited for (its node died).
  metrics::counter* overdue_verdicts = nullptr;
};

struct entity_actor_state {
  std::optional<state::entity_state> st;
  rules::entity_correlations sigma;      // windows of Sigma correlations grouped by this entity
  bool correlated = false;               // risk and kill chain run for this entity's type
  std::vector<model::alert> raised;      // reused per message
  std::vector<model::finding> findings;  // reused: our own correlations' findings about us
  // This batch's findings, held while correlation verdicts they wait for are on their way.
  correlate::held_findings held;
  static inline const char* name = "entity";
};

// `snapshot` restores a passivated entity (entity_actor_snapshot()); empty means a fresh one.
entity_actor::behavior_type entity_actor_impl(
    entity_actor::stateful_pointer<entity_actor_state> self, model::entity_ref ref,
    entity_actor_options opts, std::string snapshot);

// A passivation snapshot: the entity state alone, or, when Sigma correlation windows are open,
// a marker byte (never a first byte of an entity_state snapshot) with both parts.
std::string entity_actor_snapshot(const state::entity_state& st,
                                  const rules::entity_correlations& sigma);
bool split_entity_actor_snapshot(std::string_view bytes, std::string_view& state_part,
                                 std::string_view& sigma_part);

}  // namespace seerflow::actors
