#include "runtime/graph/graph_analyzer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "runtime/graph/ego_graph.hpp"
#include "runtime/util/hash.hpp"

namespace seerflow::graph {

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

std::string hex16(std::uint64_t h) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 0; i < 16; ++i) s[static_cast<std::size_t>(i)] = digits[(h >> ((15 - i) * 4)) & 15];
  return s;
}

model::alert make_finding(const entity_graph& g, std::uint32_t slot, const char* rule,
                          std::string title, nlohmann::ordered_json evidence) {
  const auto& n = g.node(slot);
  model::alert a;
  a.kind = "graph";
  a.rule = rule;
  a.severity = "medium";
  a.source = "graph";
  a.time_ns = g.newest_ns();
  a.last_time_ns = a.time_ns;
  a.entities = {n.entity};
  a.title = std::move(title);
  a.id = "graph-" + hex16(util::fnv1a64(std::string(rule) + '\x1f' + n.entity.value + '\x1f' +
                                        std::to_string(a.time_ns)));
  evidence["entity"] = {{"type", model::to_string(n.entity.type)}, {"value", n.entity.value}};
  a.details_json = evidence.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return a;
}

std::string label_of(const model::entity_ref& e) {
  return std::string(model::to_string(e.type)) + ":" + e.value;
}

}  // namespace

double fanout_history::stddev() const {
  return n > 1 ? std::sqrt(m2 / static_cast<double>(n - 1)) : 0.0;
}

void graph_analyzer::add_finding(analysis& a, model::alert f) {
  if (a.findings.size() >= o_.max_findings) {
    ++a.findings_dropped;
    return;
  }
  a.findings.push_back(std::move(f));
}

analysis graph_analyzer::run(const entity_graph& g) {
  const auto t0 = std::chrono::steady_clock::now();
  analysis a;
  a.view = build_view(g);
  auto t = std::chrono::steady_clock::now();
  a.pagerank = pagerank(a.view, o_.pagerank);
  a.pagerank_ms = ms_since(t);
  t = std::chrono::steady_clock::now();
  a.communities = louvain(a.view, o_.louvain);
  a.louvain_ms = ms_since(t);
  t = std::chrono::steady_clock::now();
  a.betweenness = betweenness(a.view, o_.betweenness);
  a.betweenness_ms = ms_since(t);

  // Distinct neighbours per direction, whatever the number of relation types between them.
  const std::size_t n = a.view.vertex_count();
  a.fan_out.assign(n, 0);
  a.fan_in.assign(n, 0);
  std::vector<std::uint32_t> vertex_of(g.node_slots(), UINT32_MAX);
  for (std::uint32_t v = 0; v < n; ++v) vertex_of[a.view.slot_of[v]] = v;
  std::vector<std::uint64_t> pairs;
  pairs.reserve(g.edge_count());
  for (std::uint32_t i = 0; i < g.edge_slots(); ++i)
    if (const auto& e = g.edge(i); e.alive)
      pairs.push_back(std::uint64_t{vertex_of[e.from]} << 32 | vertex_of[e.to]);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  for (auto p : pairs) {
    ++a.fan_out[p >> 32];
    ++a.fan_in[p & 0xffffffffu];
  }

  community_findings(g, a);
  betweenness_findings(g, a);
  fanout_findings(g, a);
  ++runs_;
  a.total_ms = ms_since(t0);
  return a;
}

void graph_analyzer::community_findings(const entity_graph& g, analysis& a) {
  const std::size_t n = a.view.vertex_count();
  const auto& comm = a.communities.community;
  std::vector<std::vector<std::uint32_t>> members(a.communities.count);
  for (std::uint32_t v = 0; v < n; ++v) members[comm[v]].push_back(v);
  std::vector<std::uint64_t> key(n);
  for (std::uint32_t v = 0; v < n; ++v)
    key[v] = model::entity_key(g.node(a.view.slot_of[v]).entity.id);

  // Each community inherits the label most of its members had last run; a label goes to the
  // largest community claiming it, the others get fresh labels. So labels follow communities
  // across runs although Louvain numbers them anew each time.
  std::vector<std::uint32_t> label(a.communities.count, UINT32_MAX);
  std::vector<std::uint32_t> order(a.communities.count);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](auto x, auto y) { return members[x].size() > members[y].size(); });
  std::unordered_set<std::uint32_t> claimed;
  std::unordered_map<std::uint32_t, std::size_t> votes;
  std::unordered_map<std::uint32_t, std::size_t> prev_size;
  for (const auto& [k, l] : prev_label_) ++prev_size[l];
  for (auto c : order) {
    votes.clear();
    for (auto v : members[c])
      if (auto it = prev_label_.find(key[v]); it != prev_label_.end()) ++votes[it->second];
    std::uint32_t best = UINT32_MAX;
    std::size_t best_votes = 0;
    for (const auto& [l, cnt] : votes)
      if (!claimed.count(l) && (cnt > best_votes || (cnt == best_votes && l < best)))
        best = l, best_votes = cnt;
    if (best != UINT32_MAX) {
      claimed.insert(best);
      label[c] = best;
    } else {
      label[c] = next_label_++;
    }
  }
  if (runs_ > 0 && n >= o_.min_vertices) {
    for (std::uint32_t v = 0; v < n; ++v) {
      auto it = prev_label_.find(key[v]);
      if (it == prev_label_.end()) continue;  // new entity: it joined, it did not cross
      const auto c = comm[v];
      const auto from = it->second, to = label[c];
      if (from == to) continue;
      if (members[c].size() < o_.min_community || prev_size[from] < o_.min_community) continue;
      nlohmann::ordered_json ev;
      ev["from_community"] = from;
      ev["to_community"] = to;
      ev["to_size"] = members[c].size();
      ev["from_size_before"] = prev_size[from];
      auto sample = nlohmann::ordered_json::array();
      for (auto m : members[c]) {
        if (sample.size() == 10) break;
        if (m != v) sample.push_back(label_of(g.node(a.view.slot_of[m]).entity));
      }
      ev["to_members_sample"] = std::move(sample);
      const auto& ent = g.node(a.view.slot_of[v]).entity;
      add_finding(a,
                  make_finding(g, a.view.slot_of[v], "graph.community_change",
                               label_of(ent) + " moved into another community of the entity graph",
                               std::move(ev)));
    }
  }
  prev_label_.clear();
  for (std::uint32_t v = 0; v < n; ++v) prev_label_[key[v]] = label[comm[v]];
}

void graph_analyzer::betweenness_findings(const entity_graph& g, analysis& a) {
  const std::size_t n = a.view.vertex_count();
  std::unordered_map<std::uint64_t, bool> now;
  for (std::uint32_t v = 0; v < n; ++v) {
    const double c = a.betweenness.centrality[v];
    if (c <= o_.betweenness_threshold || n < o_.min_vertices) continue;
    const auto& ent = g.node(a.view.slot_of[v]).entity;
    const auto k = model::entity_key(ent.id);
    now[k] = true;
    // Only the rise is a finding: an entity that stays a bridge is reported once.
    if (was_central_.count(k)) continue;
    nlohmann::ordered_json ev;
    ev["betweenness"] = c;
    ev["threshold"] = o_.betweenness_threshold;
    ev["sampled"] = a.betweenness.sampled;
    ev["sources"] = a.betweenness.sources;
    ev["vertices"] = n;
    ev["pagerank"] = a.pagerank.rank[v];
    add_finding(
        a, make_finding(g, a.view.slot_of[v], "graph.betweenness",
                        label_of(ent) + " became a bridge of the entity graph", std::move(ev)));
  }
  was_central_ = std::move(now);
}

void graph_analyzer::fanout_findings(const entity_graph& g, analysis& a) {
  const std::size_t n = a.view.vertex_count();
  std::unordered_map<std::uint64_t, fanout_history> kept;
  kept.reserve(n);
  for (std::uint32_t v = 0; v < n; ++v) {
    const auto& ent = g.node(a.view.slot_of[v]).entity;
    const auto k = model::entity_key(ent.id);
    fanout_history h;
    if (auto it = fanout_.find(k); it != fanout_.end()) h = it->second;
    const double x = a.fan_out[v];
    const double limit = h.mean + o_.fanout_sigma * h.stddev();
    // A constant history has σ = 0: any growth by at least one neighbour past it counts.
    if (h.n >= o_.fanout_min_runs && x > limit && x >= h.mean + 1) {
      nlohmann::ordered_json ev;
      ev["fan_out"] = a.fan_out[v];
      ev["mean"] = h.mean;
      ev["stddev"] = h.stddev();
      ev["sigma"] = o_.fanout_sigma;
      ev["runs"] = h.n;
      auto sample = nlohmann::ordered_json::array();
      for (auto e : g.node(a.view.slot_of[v]).edges) {
        const auto& ed = g.edge(e);
        if (ed.from != a.view.slot_of[v]) continue;
        if (sample.size() == 10) break;
        sample.push_back({{"type", model::to_string(ed.type)},
                          {"to", label_of(g.node(ed.to).entity)},
                          {"count", ed.count}});
      }
      ev["edges_sample"] = std::move(sample);
      add_finding(
          a, make_finding(g, a.view.slot_of[v], "graph.fan_out",
                          label_of(ent) + " reaches more entities than it used to", std::move(ev)));
    }
    h.observe(x);
    kept.emplace(k, h);
  }
  // Entities evicted from the graph take their history with them.
  fanout_ = std::move(kept);
}

std::string analysis_json(const entity_graph& g, const analysis& a, std::size_t top) {
  nlohmann::ordered_json j;
  j["nodes"] = g.node_count();
  j["edges"] = g.edge_count();
  j["vertices"] = a.view.vertex_count();
  j["pairs"] = a.view.pair_count();
  j["communities"] = a.communities.count;
  j["modularity"] = a.communities.modularity;
  j["pagerank_iterations"] = a.pagerank.iterations;
  j["betweenness_sampled"] = a.betweenness.sampled;
  j["betweenness_sources"] = a.betweenness.sources;
  j["ms"] = {{"pagerank", a.pagerank_ms},
             {"louvain", a.louvain_ms},
             {"betweenness", a.betweenness_ms},
             {"total", a.total_ms}};
  std::vector<std::uint32_t> order(a.view.vertex_count());
  std::iota(order.begin(), order.end(), 0u);
  const auto k = std::min(top, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                    [&](auto x, auto y) {
                      return a.pagerank.rank[x] != a.pagerank.rank[y]
                                 ? a.pagerank.rank[x] > a.pagerank.rank[y]
                                 : x < y;
                    });
  auto list = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < k; ++i) {
    const auto v = order[i];
    const auto& e = g.node(a.view.slot_of[v]).entity;
    list.push_back({{"type", model::to_string(e.type)},
                    {"value", e.value},
                    {"pagerank", a.pagerank.rank[v]},
                    {"betweenness", a.betweenness.centrality[v]},
                    {"community", a.communities.community[v]},
                    {"fan_out", a.fan_out[v]},
                    {"fan_in", a.fan_in[v]}});
  }
  j["top"] = std::move(list);
  auto findings = nlohmann::ordered_json::array();
  for (const auto& f : a.findings) findings.push_back({{"rule", f.rule}, {"title", f.title}});
  j["findings"] = std::move(findings);
  j["findings_dropped"] = a.findings_dropped;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string ego_json(const entity_graph& g, const graph_view& v, std::string_view value,
                     std::uint32_t radius, std::size_t max_vertices) {
  const auto slot = g.find(value);
  if (!slot) return "";
  const auto it = std::lower_bound(v.slot_of.begin(), v.slot_of.end(), *slot);
  nlohmann::ordered_json j;
  const auto& center = g.node(*slot).entity;
  j["entity"] = {{"type", model::to_string(center.type)}, {"value", center.value}};
  j["radius"] = radius;
  auto vertices = nlohmann::ordered_json::array();
  auto edges = nlohmann::ordered_json::array();
  if (it != v.slot_of.end() && *it == *slot) {
    const auto eg =
        ego(v, static_cast<std::uint32_t>(it - v.slot_of.begin()), radius, max_vertices);
    std::unordered_set<std::uint32_t> in;
    for (const auto& [vx, d] : eg.vertices) {
      in.insert(v.slot_of[vx]);
      const auto& e = g.node(v.slot_of[vx]).entity;
      vertices.push_back({{"type", model::to_string(e.type)}, {"value", e.value}, {"distance", d}});
    }
    for (const auto& [vx, d] : eg.vertices)
      for (auto es : g.node(v.slot_of[vx]).edges) {
        const auto& ed = g.edge(es);
        if (ed.from != v.slot_of[vx] || !in.count(ed.to)) continue;
        edges.push_back({{"from", label_of(g.node(ed.from).entity)},
                         {"type", model::to_string(ed.type)},
                         {"to", label_of(g.node(ed.to).entity)},
                         {"count", ed.count},
                         {"first_ns", ed.first_ns},
                         {"last_ns", ed.last_ns}});
      }
    j["truncated"] = eg.truncated;
  }
  j["vertices"] = std::move(vertices);
  j["edges"] = std::move(edges);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace seerflow::graph
