#pragma once
// Betweenness centrality (Brandes, "A faster algorithm for betweenness centrality", 2001): the
// share of shortest paths between other entities that pass through an entity, normalised to
// [0, 1] by the (n-1)(n-2)/2 pairs of an undirected graph. Exact costs O(V·E), which at 100k
// entities and 1M edges is hours, so above `samples` vertices it runs Brandes' single-source
// accumulation from `samples` sources drawn uniformly without replacement (seeded) and scales
// by n/samples: the unbiased pivot estimator of Brandes and Pich ("Centrality estimation in
// large networks", 2007). Exact runs use Boost's brandes_betweenness_centrality.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/graph/graph_view.hpp"

namespace seerflow::graph {

struct betweenness_options {
  std::size_t samples = 256;  // 0: always exact
  std::uint64_t seed = 1;
};

struct betweenness_result {
  std::vector<double> centrality;  // by vertex, normalised
  bool sampled = false;
  std::size_t sources = 0;  // sources whose shortest paths were counted
};

betweenness_result betweenness(const graph_view& v, const betweenness_options& o = {});

// The sampled estimator with an explicit list of sources (tests: all sources equals exact).
betweenness_result betweenness_from_sources(const graph_view& v,
                                            const std::vector<std::uint32_t>& sources);

}  // namespace seerflow::graph
