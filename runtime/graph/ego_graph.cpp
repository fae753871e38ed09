#include "runtime/graph/ego_graph.hpp"

#include <algorithm>
#include <unordered_map>

namespace seerflow::graph {

ego_graph ego(const graph_view& v, std::uint32_t center, std::uint32_t radius,
              std::size_t max_vertices) {
  ego_graph out;
  if (center >= v.vertex_count() || max_vertices == 0) return out;
  std::unordered_map<std::uint32_t, std::uint32_t> dist{{center, 0}};
  out.vertices.emplace_back(center, 0);
  for (std::size_t head = 0; head < out.vertices.size(); ++head) {
    const auto [u, d] = out.vertices[head];
    if (d == radius) continue;
    for (auto e = v.offsets[u]; e < v.offsets[u + 1]; ++e) {
      const auto w = v.targets[e];
      if (dist.count(w)) continue;
      if (out.vertices.size() == max_vertices) {
        out.truncated = true;
        break;
      }
      dist.emplace(w, d + 1);
      out.vertices.emplace_back(w, d + 1);
    }
  }
  for (const auto& [u, d] : out.vertices)
    for (auto e = v.offsets[u]; e < v.offsets[u + 1]; ++e)
      if (const auto w = v.targets[e]; u < w && dist.count(w)) out.pairs.emplace_back(u, w);
  std::sort(out.pairs.begin(), out.pairs.end());
  return out;
}

}  // namespace seerflow::graph
