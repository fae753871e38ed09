#pragma once
// "What is this entity related to?": the entity graph's relations as the graph actor stored
// them (graph_edges), those touching an entity (either end), of a relation type, most frequent
// first.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace seerflow::store {
class sqlite_db;
}  // namespace seerflow::store

namespace seerflow::query {

struct graph_filter {
  std::optional<std::string> entity_type;  // with entity_value: only that type's entity
  std::string entity_value;                // "" = every relation
  std::string edge_type;                   // "" = every type
  std::size_t limit = 100;
};

struct graph_edge_row {
  std::string from_type, from_value, edge_type, to_type, to_value;
  std::int64_t first_seen_ns = 0, last_seen_ns = 0, count = 0;
};

std::size_t for_each_graph_edge(const store::sqlite_db& db, const graph_filter& f,
                                const std::function<bool(const graph_edge_row&)>& on_row);

}  // namespace seerflow::query
