#pragma once
// The Boost.Graph form of a view: a compressed-sparse-row graph with both directions of every
// pair, which Boost's algorithms read as the undirected graph. Included only by the algorithm
// sources (Boost.Graph headers are heavy).
#include <cstdint>
#include <utility>
#include <vector>

#include <boost/graph/compressed_sparse_row_graph.hpp>

#include "runtime/graph/graph_view.hpp"

namespace seerflow::graph {

using csr_graph =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                       boost::no_property, std::uint32_t, std::uint32_t>;

inline csr_graph make_csr_graph(const graph_view& v) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> arcs;
  arcs.reserve(v.targets.size());
  for (std::uint32_t s = 0; s < v.vertex_count(); ++s)
    for (auto i = v.offsets[s]; i < v.offsets[s + 1]; ++i) arcs.emplace_back(s, v.targets[i]);
  return csr_graph(boost::edges_are_sorted, arcs.begin(), arcs.end(),
                   static_cast<std::uint32_t>(v.vertex_count()));
}

}  // namespace seerflow::graph
