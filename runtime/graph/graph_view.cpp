#include "runtime/graph/graph_view.hpp"

#include <algorithm>
#include <tuple>

namespace seerflow::graph {

namespace {

// Pairs (both directions) sorted by (source, target) -> CSR with merged duplicates.
graph_view to_csr(std::size_t n,
                  std::vector<std::tuple<std::uint32_t, std::uint32_t, double>>& arcs) {
  std::sort(arcs.begin(), arcs.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  graph_view v;
  v.offsets.assign(n + 1, 0);
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    const auto [s, t, w] = arcs[i];
    if (!v.targets.empty() && i > 0 && std::get<0>(arcs[i - 1]) == s &&
        std::get<1>(arcs[i - 1]) == t) {
      v.weights.back() += w;
      continue;
    }
    v.targets.push_back(t);
    v.weights.push_back(w);
    ++v.offsets[s + 1];
  }
  for (std::size_t i = 0; i < n; ++i) v.offsets[i + 1] += v.offsets[i];
  return v;
}

}  // namespace

double graph_view::total_weight() const {
  double s = 0;
  for (double w : weights) s += w;
  return s / 2;
}

graph_view build_view(const entity_graph& g) {
  std::vector<std::uint32_t> vertex_of(g.node_slots(), UINT32_MAX);
  std::vector<std::uint32_t> slot_of;
  for (std::uint32_t i = 0; i < g.node_slots(); ++i)
    if (g.node(i).alive && !g.node(i).edges.empty()) {
      vertex_of[i] = static_cast<std::uint32_t>(slot_of.size());
      slot_of.push_back(i);
    }
  std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> arcs;
  arcs.reserve(g.edge_count() * 2);
  for (std::uint32_t i = 0; i < g.edge_slots(); ++i) {
    const auto& e = g.edge(i);
    if (!e.alive) continue;
    const auto a = vertex_of[e.from], b = vertex_of[e.to];
    arcs.emplace_back(a, b, 1.0);
    arcs.emplace_back(b, a, 1.0);
  }
  auto v = to_csr(slot_of.size(), arcs);
  v.slot_of = std::move(slot_of);
  return v;
}

graph_view view_from_pairs(std::size_t vertices,
                           const std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs) {
  std::vector<std::tuple<std::uint32_t, std::uint32_t, double>> arcs;
  arcs.reserve(pairs.size() * 2);
  for (const auto& [a, b] : pairs) {
    if (a == b || a >= vertices || b >= vertices) continue;
    arcs.emplace_back(a, b, 1.0);
    arcs.emplace_back(b, a, 1.0);
  }
  auto v = to_csr(vertices, arcs);
  v.slot_of.resize(vertices);
  for (std::uint32_t i = 0; i < vertices; ++i) v.slot_of[i] = i;
  return v;
}

}  // namespace seerflow::graph
