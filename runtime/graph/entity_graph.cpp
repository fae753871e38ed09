#include "runtime/graph/entity_graph.hpp"

#include <algorithm>

#include "runtime/util/byte_codec.hpp"
#include "runtime/util/hash.hpp"

namespace seerflow::graph {

namespace {

constexpr std::string_view snapshot_magic = "SFG1";
constexpr std::size_t max_value_bytes = 4096;

// Eviction removes the oldest 1 % (at least one) at once: a full graph then pays for one
// selection per hundred new entries, not one per entry.
std::size_t eviction_batch(std::size_t limit) {
  return std::max<std::size_t>(1, limit / 100);
}

}  // namespace

std::size_t entity_graph::pair_hash::operator()(const pair_key& k) const noexcept {
  return static_cast<std::size_t>(util::mix64((static_cast<std::uint64_t>(k.from) << 32 | k.to) ^
                                              (std::uint64_t{k.type} << 61)));
}

entity_graph::entity_graph(graph_limits limits) : limits_(limits) {
  limits_.max_nodes = std::max<std::size_t>(limits_.max_nodes, 2);
  limits_.max_edges = std::max<std::size_t>(limits_.max_edges, 1);
}

std::optional<std::uint32_t> entity_graph::find(std::uint64_t entity_key) const {
  auto it = by_key_.find(entity_key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint32_t> entity_graph::find(std::string_view value) const {
  for (std::uint32_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].alive && nodes_[i].entity.value == value) return i;
  return std::nullopt;
}

std::uint32_t entity_graph::node_for(const model::entity_ref& e, std::int64_t t) {
  const auto key = model::entity_key(e.id);
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    auto& n = nodes_[it->second];
    n.first_ns = std::min(n.first_ns, t);
    n.last_ns = std::max(n.last_ns, t);
    return it->second;
  }
  std::uint32_t slot;
  if (!free_nodes_.empty()) {
    slot = free_nodes_.back();
    free_nodes_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
  }
  auto& n = nodes_[slot];
  n.entity = e;
  n.first_ns = n.last_ns = t;
  n.edges.clear();
  n.alive = true;
  by_key_.emplace(key, slot);
  ++nodes_alive_;
  return slot;
}

void entity_graph::observe(const model::edge_observation& o) {
  ++counters_.observations;
  if (o.from == o.to || model::entity_key(o.from.id) == model::entity_key(o.to.id)) return;
  const std::uint64_t count = std::max<std::uint64_t>(o.count, 1);
  const std::int64_t first = std::min(o.first_ns, o.last_ns),
                     last = std::max(o.first_ns, o.last_ns);
  newest_ns_ = std::max(newest_ns_, last);
  const auto from = node_for(o.from, last);
  const auto to = node_for(o.to, last);
  nodes_[from].first_ns = std::min(nodes_[from].first_ns, first);
  nodes_[to].first_ns = std::min(nodes_[to].first_ns, first);
  const pair_key pk{from, to, static_cast<std::uint8_t>(o.type)};
  if (auto it = by_pair_.find(pk); it != by_pair_.end()) {
    auto& e = edges_[it->second];
    e.first_ns = std::min(e.first_ns, first);
    e.last_ns = std::max(e.last_ns, last);
    e.count += count;
  } else {
    std::uint32_t slot;
    if (!free_edges_.empty()) {
      slot = free_edges_.back();
      free_edges_.pop_back();
    } else {
      slot = static_cast<std::uint32_t>(edges_.size());
      edges_.emplace_back();
    }
    auto& e = edges_[slot];
    e = graph_edge{from, to, o.type, first, last, count, 0, 0, 0, true};
    e.pos_in_from = static_cast<std::uint32_t>(nodes_[from].edges.size());
    nodes_[from].edges.push_back(slot);
    e.pos_in_to = static_cast<std::uint32_t>(nodes_[to].edges.size());
    nodes_[to].edges.push_back(slot);
    by_pair_.emplace(pk, slot);
    ++edges_alive_;
  }
  evict();
}

void entity_graph::remove_edge(std::uint32_t slot) {
  auto& e = edges_[slot];
  if (!e.alive) return;
  // Swap-remove from each end's list, fixing the moved edge's stored position.
  const auto unlink = [&](std::uint32_t node, std::uint32_t pos) {
    auto& list = nodes_[node].edges;
    const std::uint32_t moved = list.back();
    list[pos] = moved;
    list.pop_back();
    if (moved == slot) return;
    auto& m = edges_[moved];
    // No self-loops: the moved edge touches `node` at exactly one end.
    if (m.from == node)
      m.pos_in_from = pos;
    else
      m.pos_in_to = pos;
  };
  unlink(e.from, e.pos_in_from);
  // A removal from `from` may have moved this edge's own entry in `to` only when from == to,
  // which observe() never creates.
  unlink(e.to, e.pos_in_to);
  by_pair_.erase(pair_key{e.from, e.to, static_cast<std::uint8_t>(e.type)});
  e.alive = false;
  free_edges_.push_back(slot);
  --edges_alive_;
  ++counters_.evicted_edges;
}

void entity_graph::remove_node(std::uint32_t slot) {
  auto& n = nodes_[slot];
  if (!n.alive) return;
  while (!n.edges.empty()) remove_edge(n.edges.back());
  by_key_.erase(model::entity_key(n.entity.id));
  n.alive = false;
  n.entity.value.clear();
  n.edges.shrink_to_fit();
  free_nodes_.push_back(slot);
  --nodes_alive_;
  ++counters_.evicted_nodes;
}

void entity_graph::evict() {
  if (edges_alive_ > limits_.max_edges) {
    const std::size_t n = std::min(
        edges_alive_, eviction_batch(limits_.max_edges) + (edges_alive_ - limits_.max_edges) - 1);
    std::vector<std::pair<std::int64_t, std::uint32_t>> by_age;
    by_age.reserve(edges_alive_);
    for (std::uint32_t i = 0; i < edges_.size(); ++i)
      if (edges_[i].alive) by_age.emplace_back(edges_[i].last_ns, i);
    std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(n) - 1,
                     by_age.end());
    for (std::size_t i = 0; i < n; ++i) remove_edge(by_age[i].second);
  }
  if (nodes_alive_ > limits_.max_nodes) {
    const std::size_t n = std::min(
        nodes_alive_, eviction_batch(limits_.max_nodes) + (nodes_alive_ - limits_.max_nodes) - 1);
    std::vector<std::pair<std::int64_t, std::uint32_t>> by_age;
    by_age.reserve(nodes_alive_);
    for (std::uint32_t i = 0; i < nodes_.size(); ++i)
      if (nodes_[i].alive) by_age.emplace_back(nodes_[i].last_ns, i);
    std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(n) - 1,
                     by_age.end());
    for (std::size_t i = 0; i < n; ++i) remove_node(by_age[i].second);
  }
}

std::size_t entity_graph::fan_out(std::uint32_t slot) const {
  std::vector<std::uint32_t> seen;
  for (auto e : nodes_[slot].edges)
    if (edges_[e].from == slot) seen.push_back(edges_[e].to);
  std::sort(seen.begin(), seen.end());
  return static_cast<std::size_t>(std::unique(seen.begin(), seen.end()) - seen.begin());
}

std::size_t entity_graph::fan_in(std::uint32_t slot) const {
  std::vector<std::uint32_t> seen;
  for (auto e : nodes_[slot].edges)
    if (edges_[e].to == slot) seen.push_back(edges_[e].from);
  std::sort(seen.begin(), seen.end());
  return static_cast<std::size_t>(std::unique(seen.begin(), seen.end()) - seen.begin());
}

void entity_graph::take_unsaved(std::vector<model::edge_observation>& out) {
  out.clear();
  for (auto& e : edges_) {
    if (!e.alive || e.count == e.saved) continue;
    out.push_back({nodes_[e.from].entity, nodes_[e.to].entity, e.type, e.first_ns, e.last_ns,
                   e.count - e.saved});
    e.saved = e.count;
  }
}

void entity_graph::clear() {
  *this = entity_graph(limits_);
}

std::string entity_graph::snapshot() const {
  util::byte_writer w;
  w.raw(snapshot_magic);
  std::vector<std::uint32_t> compact(nodes_.size(), 0);
  w.varint(nodes_alive_);
  std::uint32_t next = 0;
  for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
    const auto& n = nodes_[i];
    if (!n.alive) continue;
    compact[i] = next++;
    w.u8(static_cast<std::uint8_t>(n.entity.type));
    w.str(n.entity.value);
    w.raw(std::string_view(reinterpret_cast<const char*>(n.entity.id.data()), n.entity.id.size()));
    w.svarint(n.first_ns);
    w.svarint(n.last_ns);
  }
  w.varint(edges_alive_);
  for (const auto& e : edges_) {
    if (!e.alive) continue;
    w.varint(compact[e.from]);
    w.varint(compact[e.to]);
    w.u8(static_cast<std::uint8_t>(e.type));
    w.svarint(e.first_ns);
    w.svarint(e.last_ns);
    w.varint(e.count);
  }
  return w.take();
}

bool entity_graph::restore(std::string_view blob) {
  clear();
  if (blob.substr(0, snapshot_magic.size()) != snapshot_magic) return false;
  util::byte_reader r(blob.substr(snapshot_magic.size()));
  const auto fail = [&] {
    clear();
    return false;
  };
  const auto n = r.varint();
  // type + length + 16-byte id + two times: at least 20 bytes each.
  if (!r.plausible_count(n, 20)) return fail();
  std::vector<model::entity_ref> refs;
  std::vector<std::pair<std::int64_t, std::int64_t>> times;
  refs.reserve(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    model::entity_ref e;
    const auto type = r.u8();
    if (type >= model::entity_type_names.size()) return fail();
    e.type = static_cast<model::entity_type>(type);
    e.value = r.str(max_value_bytes);
    for (auto& b : e.id) b = r.u8();
    const auto first = r.svarint(), last = r.svarint();
    if (!r.ok() || e.value.empty()) return fail();
    refs.push_back(std::move(e));
    times.emplace_back(first, last);
  }
  const auto m = r.varint();
  if (!r.plausible_count(m, 6)) return fail();
  std::vector<model::edge_observation> obs;
  obs.reserve(m);
  for (std::uint64_t i = 0; i < m; ++i) {
    const auto from = r.varint(), to = r.varint();
    const auto type = r.u8();
    const auto first = r.svarint(), last = r.svarint();
    const auto count = r.varint();
    if (!r.ok() || from >= n || to >= n || from == to || type >= model::edge_type_names.size() ||
        count == 0)
      return fail();
    obs.push_back({refs[from], refs[to], static_cast<model::edge_type>(type), first, last, count});
  }
  if (!r.at_end()) return fail();
  // Replayed oldest first, so that a snapshot larger than these limits keeps its newest part.
  std::stable_sort(obs.begin(), obs.end(),
                   [](const auto& a, const auto& b) { return a.last_ns < b.last_ns; });
  for (const auto& o : obs) observe(o);
  for (auto& e : edges_) e.saved = e.count;
  counters_ = {};
  // Nodes keep their own first/last seen (an edge may have been evicted before them).
  for (std::uint64_t i = 0; i < n; ++i)
    if (auto slot = find(model::entity_key(refs[i].id))) {
      nodes_[*slot].first_ns = times[i].first;
      nodes_[*slot].last_ns = times[i].second;
    }
  return true;
}

}  // namespace seerflow::graph
