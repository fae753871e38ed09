#pragma once
// One run of the graph algorithms over the entity graph, and the structural findings that
// compare it with the runs before: an entity that crossed into another community, betweenness
// that rose above a threshold, fan-out above mean + k·σ of the entity's own history. Each
// finding is a model::alert of kind "graph". The analyzer keeps only what the comparison
// needs (the previous community labels, who was above the threshold, per-entity fan-out
// statistics), for the entities still in the graph.
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/graph/betweenness.hpp"
#include "runtime/graph/entity_graph.hpp"
#include "runtime/graph/graph_view.hpp"
#include "runtime/graph/louvain.hpp"
#include "runtime/graph/pagerank.hpp"
#include "runtime/model/alert.hpp"

namespace seerflow::graph {

struct analysis_options {
  pagerank_options pagerank;
  louvain_options louvain;
  betweenness_options betweenness;
  double betweenness_threshold = 0.25;
  double fanout_sigma = 3.0;
  std::size_t fanout_min_runs = 5;  // runs of history before an entity's fan-out is judged
  // Structural findings need structure: below this many vertices every centrality is extreme.
  std::size_t min_vertices = 10;
  // Communities smaller than this are not compared (a user and its one address are a pair,
  // not a community whose border means anything).
  std::size_t min_community = 3;
  std::size_t max_findings = 100;  // per run; the rest are counted in findings_dropped
};

struct analysis {
  graph_view view;
  pagerank_result pagerank;
  louvain_result communities;
  betweenness_result betweenness;
  std::vector<std::uint32_t> fan_out, fan_in;  // by vertex: distinct neighbours per direction
  std::vector<model::alert> findings;
  std::uint64_t findings_dropped = 0;
  double pagerank_ms = 0, louvain_ms = 0, betweenness_ms = 0, total_ms = 0;
};

// Fan-out history of one entity: Welford's exact running mean and variance.
struct fanout_history {
  std::uint64_t n = 0;
  double mean = 0, m2 = 0;
  void observe(double x) {
    ++n;
    const double d = x - mean;
    mean += d / static_cast<double>(n);
    m2 += d * (x - mean);
  }
  double stddev() const;
};

class graph_analyzer {
 public:
  explicit graph_analyzer(analysis_options o = {}) : o_(o) {}

  analysis run(const entity_graph& g);

  std::uint64_t runs() const { return runs_; }
  const analysis_options& options() const { return o_; }

 private:
  void community_findings(const entity_graph& g, analysis& a);
  void betweenness_findings(const entity_graph& g, analysis& a);
  void fanout_findings(const entity_graph& g, analysis& a);
  void add_finding(analysis& a, model::alert f);

  analysis_options o_;
  std::uint64_t runs_ = 0;
  std::unordered_map<std::uint64_t, std::uint32_t> prev_label_;  // entity key -> community label
  std::uint32_t next_label_ = 0;
  std::unordered_map<std::uint64_t, bool> was_central_;
  std::unordered_map<std::uint64_t, fanout_history> fanout_;
};

// A bounded JSON view of a run: sizes, timings, the `top` entities by PageRank with their
// scores, community, fan-out and fan-in, and the findings' titles.
std::string analysis_json(const entity_graph& g, const analysis& a, std::size_t top = 20);

// The ego graph of the entity with canonical value `value` (radius hops), as JSON with its
// vertices (entity, distance) and typed edges with counts; "" when the entity is not in it.
std::string ego_json(const entity_graph& g, const graph_view& v, std::string_view value,
                     std::uint32_t radius, std::size_t max_vertices = 200);

}  // namespace seerflow::graph
