#pragma once
// PageRank over the undirected view: how central an entity is by the company it keeps. Runs
// Boost.Graph's page_rank on a compressed-sparse-row copy of the view.
#include <cstddef>
#include <vector>

#include "runtime/graph/graph_view.hpp"

namespace seerflow::graph {

struct pagerank_options {
  double damping = 0.85;
  std::size_t max_iterations = 100;
  // Stop when the ranks moved by less than this (L1, relative to their sum) in one iteration.
  double tolerance = 1e-6;
};

struct pagerank_result {
  std::vector<double> rank;  // by vertex, summing to 1 (empty for an empty view)
  std::size_t iterations = 0;
};

pagerank_result pagerank(const graph_view& v, const pagerank_options& o = {});

}  // namespace seerflow::graph
