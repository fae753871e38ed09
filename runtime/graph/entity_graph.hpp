#pragma once
// The entity graph's edge store: entities as nodes, typed directed relations as edges, each with
// the event times it was first and last seen and how often. Bounded: past max_nodes or
// max_edges the least recently seen (in event time) are evicted, a node with its edges. The
// algorithms (runtime/graph/graph_view.hpp and friends) run on a compact view built from it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/model/edge_observation.hpp"

namespace seerflow::graph {

struct graph_limits {
  std::size_t max_nodes = 100'000;
  std::size_t max_edges = 1'000'000;
};

struct graph_node {
  model::entity_ref entity;
  std::int64_t first_ns = 0, last_ns = 0;
  // Edge slots touching this node (both directions); positions are kept in the edges so a
  // removal is O(1) whatever the degree of the other end.
  std::vector<std::uint32_t> edges;
  bool alive = false;
};

struct graph_edge {
  std::uint32_t from = 0, to = 0;  // node slots
  model::edge_type type = model::edge_type::authenticated_from;
  std::int64_t first_ns = 0, last_ns = 0;
  std::uint64_t count = 0;
  std::uint64_t saved = 0;                       // part of count already handed to take_unsaved()
  std::uint32_t pos_in_from = 0, pos_in_to = 0;  // index in from's / to's `edges`
  bool alive = false;
};

struct graph_counters {
  std::uint64_t observations = 0;   // edge observations folded in
  std::uint64_t evicted_nodes = 0;  // least recently seen nodes dropped at max_nodes
  std::uint64_t evicted_edges = 0;  // edges dropped at max_edges or with their node
};

class entity_graph {
 public:
  explicit entity_graph(graph_limits limits = {});

  // Folds one observation in: creates the nodes and the edge if new, widens first/last seen,
  // adds the count; then evicts if a limit is exceeded.
  void observe(const model::edge_observation& o);

  std::size_t node_count() const { return nodes_alive_; }
  std::size_t edge_count() const { return edges_alive_; }
  const graph_counters& counters() const { return counters_; }
  const graph_limits& limits() const { return limits_; }
  std::int64_t newest_ns() const { return newest_ns_; }

  // Slots (stable while the node lives); iterate 0..node_slots() and skip !alive.
  std::size_t node_slots() const { return nodes_.size(); }
  std::size_t edge_slots() const { return edges_.size(); }
  const graph_node& node(std::uint32_t slot) const { return nodes_[slot]; }
  const graph_edge& edge(std::uint32_t slot) const { return edges_[slot]; }
  std::optional<std::uint32_t> find(std::uint64_t entity_key) const;
  // By type and canonical value (what a user types); the first match.
  std::optional<std::uint32_t> find(std::string_view value) const;

  // Distinct neighbours the node points to / that point to it (any edge type).
  std::size_t fan_out(std::uint32_t slot) const;
  std::size_t fan_in(std::uint32_t slot) const;

  // The edges whose count grew since the last call, with the growth as their count (what the
  // store adds to its row), and marks them saved.
  void take_unsaved(std::vector<model::edge_observation>& out);

  // A compact binary form of every node and edge; restore() replaces the contents and returns
  // false (leaving the graph empty) on anything malformed. Restored edges count as saved (a
  // snapshot is taken after the edges of its run were handed to the store).
  std::string snapshot() const;
  bool restore(std::string_view blob);
  void clear();

 private:
  std::uint32_t node_for(const model::entity_ref& e, std::int64_t t);
  void remove_edge(std::uint32_t slot);
  void remove_node(std::uint32_t slot);
  void evict();
  struct pair_key {
    std::uint32_t from, to;
    std::uint8_t type;
    friend bool operator==(const pair_key&, const pair_key&) = default;
  };
  struct pair_hash {
    std::size_t operator()(const pair_key& k) const noexcept;
  };

  graph_limits limits_;
  std::vector<graph_node> nodes_;
  std::vector<graph_edge> edges_;
  std::vector<std::uint32_t> free_nodes_, free_edges_;
  std::unordered_map<std::uint64_t, std::uint32_t> by_key_;
  std::unordered_map<pair_key, std::uint32_t, pair_hash> by_pair_;
  std::size_t nodes_alive_ = 0, edges_alive_ = 0;
  std::int64_t newest_ns_ = 0;
  graph_counters counters_;
};

}  // namespace seerflow::graph
