#pragma once
// The graph actor: owns the entity graph (runtime/graph/). Sources send it the relations of
// each batch; on a timer (graph.interval) or on request it runs PageRank, Louvain, betweenness
// and fan-out, sends the structural findings to the alert actor, hands the edges that changed
// to the store (graph_edges) and stashes a snapshot, which the next incarnation restores.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "runtime/graph/entity_graph.hpp"
#include "runtime/graph/graph_analyzer.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct graph_actor_state {
  system::node_context* ctx = nullptr;
  std::unique_ptr<graph::entity_graph> graph;
  std::unique_ptr<graph::graph_analyzer> analyzer;
  std::string last_run_json;  // the JSON view of the last run ("" before the first)
  bool changed = false;       // relations arrived since the last run
  std::uint64_t batches = 0, relations = 0, runs = 0, findings = 0, findings_dropped = 0;
  std::uint64_t edges_saved = 0;
  metrics::counter* findings_counter = nullptr;
  std::vector<model::edge_observation> scratch;
  static inline const char* name = "graph";
};

// The analyzer's options from the configuration (graph.*).
graph::analysis_options graph_options_from(const config::settings& cfg);

graph_actor::behavior_type graph_actor_impl(graph_actor::stateful_pointer<graph_actor_state> self,
                                            system::node_context* ctx);

}  // namespace seerflow::actors
