#pragma once
// The alert actor: every detector sends its alerts here. It counts them (the session summary's
// "anomalies"), folds repeats of one dedup key inside alerts.dedup_window into the first alert
// (a count, in event time), logs and stores the rest, and keeps them for `seerflow analyze` to
// print at the end. Routing and delivery to Slack/Teams/PagerDuty join it in the alerting issue.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "actors/actors.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct alert_actor_state {
  system::node_context* ctx = nullptr;
  std::vector<model::alert> kept;
  // Open dedup windows by key: the first alert's id, its event time and its place in `kept`.
  struct window {
    std::string id;
    std::int64_t first_ns = 0;
    std::size_t kept_index = 0;
    bool is_kept = false;
  };
  std::unordered_map<std::string, window> windows;
  std::int64_t newest_ns = 0;    // latest event time seen, to close old windows
  std::uint64_t suppressed = 0;  // repeats folded into an earlier alert
  metrics::counter* suppressed_counter = nullptr;
  std::uint64_t received = 0;
  std::uint64_t not_kept = 0;  // beyond max_kept; counted, still logged
  metrics::counter* counter = nullptr;
  static constexpr std::size_t max_kept = 1'000'000;
  static inline const char* name = "alerts";
};

alert_actor::behavior_type alert_actor_impl(alert_actor::stateful_pointer<alert_actor_state> self,
                                            system::node_context* ctx);

}  // namespace seerflow::actors
