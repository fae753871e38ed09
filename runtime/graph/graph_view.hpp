#pragma once
// A compact, undirected, weighted snapshot of the entity graph for the algorithms: vertices are
// the nodes that have at least one edge, numbered 0..n-1 in slot order (deterministic for a
// given input), neighbours in CSR form with each pair listed from both ends. The weight of a
// pair is the number of relation types between the two entities: counts measure activity, not
// how related two things are (10,000 logins do not make a user more of a neighbour of its
// address than one), so they do not weigh on communities.
#include <cstdint>
#include <vector>

#include "runtime/graph/entity_graph.hpp"

namespace seerflow::graph {

struct graph_view {
  std::vector<std::uint32_t> slot_of;  // vertex -> node slot in the entity graph
  std::vector<std::uint32_t> offsets;  // size n+1
  std::vector<std::uint32_t> targets;  // neighbours, sorted per vertex
  std::vector<double> weights;         // beside targets
  std::size_t vertex_count() const { return slot_of.size(); }
  std::size_t pair_count() const { return targets.size() / 2; }
  double total_weight() const;  // sum over pairs (each counted once)
};

graph_view build_view(const entity_graph& g);

// Builds a view straight from undirected pairs (tests, benchmarks); duplicates add up,
// self-pairs are ignored; slot_of is the identity.
graph_view view_from_pairs(std::size_t vertices,
                           const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs);

}  // namespace seerflow::graph
