#pragma once
// The state an entity actor owns: how often and when the entity was seen, a bounded event-time
// sliding window of its recent events, and its correlation (risk with decay and kill chain,
// runtime/correlate/). Everything survives passivation through snapshot()/restore().
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/correlate/entity_correlator.hpp"
#include "runtime/model/alert.hpp"
#include "runtime/model/deliveries.hpp"

namespace seerflow::state {

struct window_options {
  std::int64_t span_ns = 3600LL * 1'000'000'000;  // keep events this close to the newest one
  std::size_t max_events = 256;                   // and never more than this many
};

class entity_state {
 public:
  entity_state(model::entity_ref ref, window_options opts, const correlate::settings& corr = {});

  void observe(const std::vector<model::entity_observation>& obs);
  // Feeds what alerts said about this entity to its risk and kill chain; appends the risk and
  // kill-chain alerts raised to `out`. Returns how many findings were late.
  std::size_t correlate(const std::string& source, const std::vector<model::finding>& findings,
                        std::vector<model::alert>& out);
  const correlate::entity_correlator& correlation() const { return corr_; }

  const model::entity_ref& ref() const { return ref_; }
  std::uint64_t event_count() const { return count_; }
  std::int64_t first_seen_ns() const { return first_ns_; }
  std::int64_t last_seen_ns() const { return last_ns_; }
  // Newest event time seen; the window is anchored on it (event time, so a replay and a live
  // run give the same window).
  std::int64_t watermark_ns() const { return watermark_ns_; }
  // Recent observations in arrival order (nearly sorted by event time).
  const std::deque<model::entity_observation>& window() const { return window_; }
  // Events that arrived older than the window's start (late data): counted, not windowed.
  std::uint64_t late_count() const { return late_; }

  std::string snapshot() const;
  static std::optional<entity_state> restore(std::string_view bytes, window_options opts,
                                             const correlate::settings& corr = {});
  // Bounded JSON view for the inspection console.
  std::string inspect_json(std::size_t max_window_items = 20) const;

 private:
  void trim();

  model::entity_ref ref_;
  window_options opts_;
  std::uint64_t count_ = 0;
  std::uint64_t late_ = 0;
  std::int64_t first_ns_ = 0;
  std::int64_t last_ns_ = 0;
  std::int64_t watermark_ns_ = 0;
  std::deque<model::entity_observation> window_;
  correlate::entity_correlator corr_;
};

}  // namespace seerflow::state
