#pragma once
// The alert actor: every detector sends its alerts here. It counts them (the session summary's
// "anomalies"), logs each one, and keeps them for `seerflow analyze` to print at the end.
// Dedup, routing and delivery to Slack/Teams/PagerDuty join it in the alerting issue.
#include <cstdint>
#include <vector>

#include "actors/actors.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct alert_actor_state {
  system::node_context* ctx = nullptr;
  std::vector<model::alert> kept;
  std::uint64_t received = 0;
  std::uint64_t not_kept = 0;  // beyond max_kept; counted, still logged
  metrics::counter* counter = nullptr;
  static constexpr std::size_t max_kept = 1'000'000;
  static inline const char* name = "alerts";
};

alert_actor::behavior_type alert_actor_impl(alert_actor::stateful_pointer<alert_actor_state> self,
                                            system::node_context* ctx);

}  // namespace seerflow::actors
