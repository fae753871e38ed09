#pragma once
// Louvain community detection (Blondel, Guillaume, Lambiotte, Lefebvre, "Fast unfolding of
// communities in large networks", 2008): move each vertex to the neighbouring community with
// the largest modularity gain until no move helps, fold communities into vertices, repeat.
// Deterministic: vertices are visited in index order and ties keep the current community.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/graph/graph_view.hpp"

namespace seerflow::graph {

struct louvain_options {
  std::size_t max_levels = 16;
  std::size_t max_passes = 32;  // local-move sweeps per level
  double min_gain = 1e-7;       // a level that improves modularity by less ends the run
};

struct louvain_result {
  std::vector<std::uint32_t> community;  // by vertex, numbered 0..count-1 by first vertex
  std::size_t count = 0;
  double modularity = 0;
  std::size_t levels = 0;
};

louvain_result louvain(const graph_view& v, const louvain_options& o = {});

// Newman's modularity of an assignment on the weighted view.
double modularity(const graph_view& v, const std::vector<std::uint32_t>& community);

}  // namespace seerflow::graph
