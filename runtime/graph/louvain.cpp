#include "runtime/graph/louvain.hpp"

#include <algorithm>

namespace seerflow::graph {

namespace {

// One level's graph: CSR without self-pairs, plus each vertex's self-loop weight (the weight
// inside the community it stands for, counted from both ends, as degrees count it).
struct level_graph {
  std::vector<std::uint32_t> offsets, targets;
  std::vector<double> weights, self, degree;
  double m2 = 0;  // sum of degrees (twice the total weight)
  std::size_t size() const { return self.size(); }
};

level_graph from_view(const graph_view& v) {
  level_graph g;
  g.offsets = v.offsets;
  g.targets = v.targets;
  g.weights = v.weights;
  g.self.assign(v.vertex_count(), 0.0);
  g.degree.assign(v.vertex_count(), 0.0);
  for (std::size_t i = 0; i < v.vertex_count(); ++i)
    for (auto k = v.offsets[i]; k < v.offsets[i + 1]; ++k) g.degree[i] += v.weights[k];
  for (double d : g.degree) g.m2 += d;
  return g;
}

// Local moves; returns whether any vertex changed community. `comm` is updated in place.
bool move_vertices(const level_graph& g, std::vector<std::uint32_t>& comm,
                   const louvain_options& o) {
  const std::size_t n = g.size();
  std::vector<double> tot(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) tot[comm[i]] += g.degree[i];
  std::vector<double> link(n, 0.0);  // weight from the current vertex to each community
  std::vector<std::uint32_t> touched;
  bool any = false;
  for (std::size_t pass = 0; pass < o.max_passes; ++pass) {
    std::size_t moves = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t own = comm[i];
      const double k = g.degree[i];
      touched.clear();
      touched.push_back(own);
      link[own] = 0;
      for (auto e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
        const auto c = comm[g.targets[e]];
        if (link[c] == 0 && c != own) touched.push_back(c);
        link[c] += g.weights[e];
      }
      tot[own] -= k;
      // Gain of joining c, up to terms equal for every c: k_i,in(c) - tot(c)·k_i / 2m.
      std::uint32_t best = own;
      double best_gain = link[own] - tot[own] * k / g.m2;
      for (auto c : touched) {
        const double gain = link[c] - tot[c] * k / g.m2;
        if (gain > best_gain + 1e-12) {
          best_gain = gain;
          best = c;
        }
      }
      tot[best] += k;
      comm[i] = best;
      if (best != own) ++moves;
      for (auto c : touched) link[c] = 0;
    }
    if (moves == 0) break;
    any = true;
  }
  return any;
}

// Renumbers communities 0..c-1 by first vertex; returns c.
std::size_t renumber(std::vector<std::uint32_t>& comm) {
  std::vector<std::uint32_t> id(comm.size(), UINT32_MAX);
  std::uint32_t next = 0;
  for (auto& c : comm) {
    if (id[c] == UINT32_MAX) id[c] = next++;
    c = id[c];
  }
  return next;
}

level_graph aggregate(const level_graph& g, const std::vector<std::uint32_t>& comm,
                      std::size_t count) {
  level_graph a;
  a.self.assign(count, 0.0);
  a.degree.assign(count, 0.0);
  std::vector<std::pair<std::uint64_t, double>> arcs;  // (ci << 32 | cj, weight)
  for (std::uint32_t i = 0; i < g.size(); ++i) {
    const auto ci = comm[i];
    a.self[ci] += g.self[i];
    a.degree[ci] += g.degree[i];
    for (auto e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
      const auto cj = comm[g.targets[e]];
      if (ci == cj)
        a.self[ci] += g.weights[e];
      else
        arcs.emplace_back(std::uint64_t{ci} << 32 | cj, g.weights[e]);
    }
  }
  std::sort(arcs.begin(), arcs.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  a.offsets.assign(count + 1, 0);
  for (std::size_t k = 0; k < arcs.size(); ++k) {
    if (k > 0 && arcs[k].first == arcs[k - 1].first) {
      a.weights.back() += arcs[k].second;
      continue;
    }
    a.targets.push_back(static_cast<std::uint32_t>(arcs[k].first & 0xffffffffu));
    a.weights.push_back(arcs[k].second);
    ++a.offsets[(arcs[k].first >> 32) + 1];
  }
  for (std::size_t c = 0; c < count; ++c) a.offsets[c + 1] += a.offsets[c];
  a.m2 = g.m2;
  return a;
}

double level_modularity(const level_graph& g, const std::vector<std::uint32_t>& comm,
                        std::size_t count) {
  if (g.m2 <= 0) return 0;
  std::vector<double> in(count, 0.0), tot(count, 0.0);
  for (std::uint32_t i = 0; i < g.size(); ++i) {
    in[comm[i]] += g.self[i];
    tot[comm[i]] += g.degree[i];
    for (auto e = g.offsets[i]; e < g.offsets[i + 1]; ++e)
      if (comm[g.targets[e]] == comm[i]) in[comm[i]] += g.weights[e];
  }
  double q = 0;
  for (std::size_t c = 0; c < count; ++c) q += in[c] / g.m2 - (tot[c] / g.m2) * (tot[c] / g.m2);
  return q;
}

}  // namespace

double modularity(const graph_view& v, const std::vector<std::uint32_t>& community) {
  auto comm = community;
  const auto count = renumber(comm);
  return level_modularity(from_view(v), comm, count);
}

louvain_result louvain(const graph_view& v, const louvain_options& o) {
  louvain_result r;
  const std::size_t n = v.vertex_count();
  r.community.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) r.community[i] = i;
  if (n == 0) return r;
  level_graph g = from_view(v);
  if (g.m2 <= 0) {
    r.count = n;
    return r;
  }
  double q = level_modularity(g, r.community, n);
  for (std::size_t level = 0; level < o.max_levels; ++level) {
    std::vector<std::uint32_t> comm(g.size());
    for (std::uint32_t i = 0; i < g.size(); ++i) comm[i] = i;
    if (!move_vertices(g, comm, o)) break;
    const auto count = renumber(comm);
    const double nq = level_modularity(g, comm, count);
    if (nq - q < o.min_gain) break;
    q = nq;
    for (auto& c : r.community) c = comm[c];
    ++r.levels;
    if (count == g.size()) break;
    g = aggregate(g, comm, count);
  }
  r.count = renumber(r.community);
  r.modularity = q;
  return r;
}

}  // namespace seerflow::graph
