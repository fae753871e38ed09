#pragma once
// The alert actor: every detector sends its alerts here. It counts them (the session summary's
// "anomalies"), folds repeats of one dedup key inside alerts.dedup_window into the first alert
// (a count, in event time), logs and stores the rest, and keeps them for `seerflow analyze` to
// print at the end, and forwards each new alert to every sink actor (alerts.sinks), which
// applies its own filters.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "runtime/notify/dedup_table.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct alert_actor_state {
  system::node_context* ctx = nullptr;
  std::vector<model::alert> kept;
  // Open dedup windows by key (runtime/notify/dedup_table.hpp); a window's tag is the first
  // alert's place in `kept`.
  std::unique_ptr<notify::dedup_table> dedup;
  std::vector<std::string> sink_names;  // registry names of the sink actors (sink-<name>)
  std::uint64_t suppressed = 0;         // repeats folded into an earlier alert
  metrics::counter* suppressed_counter = nullptr;
  std::uint64_t received = 0;
  std::uint64_t not_kept = 0;      // beyond max_kept; counted, still logged
  std::uint64_t sink_missing = 0;  // alerts a sink did not get: it was restarting (logged)
  metrics::counter* counter = nullptr;
  static constexpr std::size_t max_kept = 1'000'000;
  static inline const char* name = "alerts";
};

alert_actor::behavior_type alert_actor_impl(alert_actor::stateful_pointer<alert_actor_state> self,
                                            system::node_context* ctx);

}  // namespace seerflow::actors
