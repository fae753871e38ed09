#include "runtime/graph/betweenness.hpp"

#include <algorithm>
#include <numeric>
#include <random>

#include <boost/graph/betweenness_centrality.hpp>

#include "runtime/graph/csr_graph.hpp"

namespace seerflow::graph {

namespace {

// Every pair (s, t) is counted from both ends on the symmetric view: halve, then divide by the
// number of unordered pairs of other vertices.
void normalise(std::vector<double>& c, double scale) {
  const double n = static_cast<double>(c.size());
  const double pairs = (n - 1) * (n - 2) / 2;
  for (double& x : c) x = pairs > 0 ? x * scale / 2 / pairs : 0.0;
}

}  // namespace

betweenness_result betweenness_from_sources(const graph_view& v,
                                            const std::vector<std::uint32_t>& sources) {
  const std::size_t n = v.vertex_count();
  betweenness_result r;
  r.centrality.assign(n, 0.0);
  r.sampled = true;
  std::vector<double> sigma(n, 0.0), delta(n, 0.0);
  std::vector<std::int32_t> dist(n, -1);
  std::vector<std::uint32_t> order;  // vertices in BFS order (non-decreasing distance)
  order.reserve(n);
  for (const auto s : sources) {
    if (s >= n) continue;
    ++r.sources;
    order.clear();
    sigma[s] = 1;
    dist[s] = 0;
    order.push_back(s);
    for (std::size_t head = 0; head < order.size(); ++head) {
      const auto u = order[head];
      for (auto e = v.offsets[u]; e < v.offsets[u + 1]; ++e) {
        const auto w = v.targets[e];
        if (dist[w] < 0) {
          dist[w] = dist[u] + 1;
          order.push_back(w);
        }
        if (dist[w] == dist[u] + 1) sigma[w] += sigma[u];
      }
    }
    // Dependencies from the farthest back; predecessors are the neighbours one step closer.
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
      const auto w = *it;
      for (auto e = v.offsets[w]; e < v.offsets[w + 1]; ++e) {
        const auto p = v.targets[e];
        if (dist[p] == dist[w] - 1) delta[p] += sigma[p] / sigma[w] * (1 + delta[w]);
      }
      if (w != s) r.centrality[w] += delta[w];
    }
    for (const auto w : order) sigma[w] = 0, delta[w] = 0, dist[w] = -1;
  }
  normalise(r.centrality, r.sources ? static_cast<double>(n) / static_cast<double>(r.sources) : 0);
  return r;
}

betweenness_result betweenness(const graph_view& v, const betweenness_options& o) {
  const std::size_t n = v.vertex_count();
  if (o.samples != 0 && n > o.samples) {
    std::vector<std::uint32_t> all(n);
    std::iota(all.begin(), all.end(), 0u);
    std::mt19937_64 rng(o.seed);
    // Partial Fisher-Yates: the first `samples` entries are a uniform sample.
    for (std::size_t i = 0; i < o.samples; ++i) {
      std::uniform_int_distribution<std::size_t> pick(i, n - 1);
      std::swap(all[i], all[pick(rng)]);
    }
    all.resize(o.samples);
    return betweenness_from_sources(v, all);
  }
  betweenness_result r;
  r.centrality.assign(n, 0.0);
  r.sources = n;
  if (n == 0) return r;
  const auto g = make_csr_graph(v);
  boost::brandes_betweenness_centrality(g, boost::centrality_map(boost::make_iterator_property_map(
                                               r.centrality.begin(), get(boost::vertex_index, g))));
  normalise(r.centrality, 1.0);
  return r;
}

}  // namespace seerflow::graph
