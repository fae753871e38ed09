#pragma once
// What the per-entity correlation needs to know: how fast risk decays, where it alerts, what
// each kind of finding is worth, and the kill-chain window. Filled from `correlation.*` in the
// YAML (actors/directory_actor.cpp); the defaults here are the documented defaults.
#include <cstddef>
#include <cstdint>

namespace seerflow::correlate {

// Risk points a finding adds before decay. Sigma findings are worth their rule's level;
// anomalies, correlation rules and graph findings a fixed amount each.
struct points_table {
  double sigma_low = 5;
  double sigma_medium = 10;
  double sigma_high = 20;
  double sigma_critical = 40;
  double anomaly = 5;
  double correlation = 25;
  double graph = 10;
};

struct settings {
  std::int64_t half_life_ns = 4LL * 3600 * 1'000'000'000;  // risk halves every 4 h of event time
  double risk_threshold = 50;
  // Event time may run this far behind the newest finding before a finding counts as late.
  std::int64_t allowed_lateness_ns = 300LL * 1'000'000'000;
  points_table points;
  std::int64_t kill_chain_window_ns = 24LL * 3600 * 1'000'000'000;
  std::size_t kill_chain_min_tactics = 3;
  // Evidence kept per tactic, and contributions kept for the risk alert: bounded state.
  std::size_t max_evidence = 4;
  std::size_t max_contributors = 8;
};

}  // namespace seerflow::correlate
