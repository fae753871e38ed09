#include "runtime/graph/pagerank.hpp"

#include <cmath>
#include <memory>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/page_rank.hpp>

#include "runtime/graph/csr_graph.hpp"

namespace seerflow::graph {

namespace {

// Boost's page_rank asks a functor after each step whether to stop; this one compares with
// the previous ranks. Boost copies the functor, so the state sits behind a shared pointer.
struct converged {
  struct state {
    std::vector<double> prev;
    std::size_t iterations = 0;
  };
  std::shared_ptr<state> s;
  const pagerank_options* o;
  template <class RankMap, class Graph>
  bool operator()(const RankMap& rank, const Graph& g) {
    const auto n = num_vertices(g);
    double diff = 0, sum = 0;
    for (std::size_t v = 0; v < n; ++v) {
      const double r = get(rank, v);
      diff += std::abs(r - s->prev[v]);
      sum += r;
      s->prev[v] = r;
    }
    // The first call sees the initial ranks (nothing computed yet).
    if (s->iterations++ == 0) return false;
    return s->iterations > o->max_iterations || (sum > 0 && diff / sum < o->tolerance);
  }
};

}  // namespace

pagerank_result pagerank(const graph_view& v, const pagerank_options& o) {
  pagerank_result r;
  const std::size_t n = v.vertex_count();
  if (n == 0) return r;
  const auto g = make_csr_graph(v);
  r.rank.assign(n, 0.0);
  converged done{std::make_shared<converged::state>(), &o};
  done.s->prev.assign(n, 0.0);
  auto rank_map = boost::make_iterator_property_map(r.rank.begin(), get(boost::vertex_index, g));
  boost::graph::page_rank(g, rank_map, done, o.damping);
  r.iterations = done.s->iterations - 1;
  // Boost's ranks sum to n on a graph without dangling vertices (every vertex of the view has
  // a neighbour); they are reported as shares.
  double sum = 0;
  for (double x : r.rank) sum += x;
  if (sum > 0)
    for (double& x : r.rank) x /= sum;
  return r;
}

}  // namespace seerflow::graph
