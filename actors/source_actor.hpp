#pragma once
// The source actor: one per source. Runs the source pipeline (runtime/parse/source_pipeline.hpp)
// on each receiver batch, sends the events to its sinks and the per-destination deliveries to
// the directory, and acknowledges the batch to its hand-off. Its model state is stashed in the
// registry vault periodically and on shutdown, and restored by the next incarnation.
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "actors/actors.hpp"
#include "rules/match/sigma_matcher.hpp"
#include "runtime/correlate/attach_findings.hpp"
#include "runtime/detect/stream_scorer.hpp"
#include "runtime/graph/edge_inference.hpp"
#include "runtime/metrics/registry.hpp"
#include "runtime/parse/source_pipeline.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct source_actor_state {
  system::node_context* ctx = nullptr;
  std::string source_name;
  std::vector<std::string> sinks;
  std::string directory;
  std::unique_ptr<parse::source_pipeline> pipeline;
  std::shared_ptr<system::actor_handoff> handoff;
  parse::pipeline_output out;
  // Sigma on this source's events; rebuilt when the node installs a new rule set.
  std::unique_ptr<rules::sigma_matcher> sigma;
  metrics::counter* late_correlations = nullptr;  // late_events{stage="sigma_correlation"}
  // Correlation matches of this batch whose group is an entity: they travel to its actor.
  std::vector<rules::routed_correlation> routed_correlations;
  // (group entity, other entity of a matching event) of this batch: see announce_verdicts.
  std::vector<std::pair<std::uint64_t, std::uint64_t>> verdict_pairs;
  std::vector<model::alert> alerts;
  // The detection ensemble over this source's stream (null when detect.enabled is false).
  std::unique_ptr<detect::stream_scorer> scorer;
  graph::edge_inference relations;         // the batch's entity relations, for the graph actor
  std::vector<std::uint64_t> entity_keys;  // scratch
  // Entity types whose actors correlate alerts (all false when correlation.enabled is false).
  correlate::entity_type_mask correlated_types{};
  bool correlate = false;
  std::int64_t newest_event_ns = 0;  // event-time watermark, for idle ticks
  // Messages waiting for a sink or the directory to (re)appear in the registry, in order.
  struct stalled_msg {
    std::string target;
    bool to_directory = false;
    event_batch events;
    routed_batch routed;
  };
  std::deque<stalled_msg> stalled;
  bool retry_scheduled = false;
  std::uint64_t snapshots = 0;
  std::uint64_t batches = 0;
  std::uint64_t node_tag = 0;  // in every batch number (model::batch_number); 0 standalone
  std::uint64_t records = 0;
  static inline const char* name = "source";
};

struct source_args {
  std::string source_name;
  std::vector<std::string> sinks;
  std::string directory = "directory";
};

// The detection ensemble's settings from the configuration.
detect::settings detect_settings_from(const config::settings& cfg);

// The alert for an anomaly the ensemble found in `ev`.
model::alert anomaly_alert(const model::event& ev, const detect::ensemble_result& r);

// Builds the pipeline options of a source from the settings.
parse::source_pipeline_options pipeline_options_from(const config::settings& cfg,
                                                     const std::string& source, bool replay,
                                                     std::optional<int> first_year);

source_actor::behavior_type source_actor_impl(
    source_actor::stateful_pointer<source_actor_state> self, system::node_context* ctx,
    source_args args);

}  // namespace seerflow::actors
