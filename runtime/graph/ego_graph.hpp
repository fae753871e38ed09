#pragma once
// The ego graph of an entity: every vertex within `radius` hops (undirected), with its
// distance, and the pairs among them. Bounded by max_vertices (closest first, breadth-first).
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "runtime/graph/graph_view.hpp"

namespace seerflow::graph {

struct ego_graph {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> vertices;  // (vertex, distance)
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;     // among them, a < b
  bool truncated = false;                                         // max_vertices was reached
};

ego_graph ego(const graph_view& v, std::uint32_t center, std::uint32_t radius,
              std::size_t max_vertices = 1000);

}  // namespace seerflow::graph
