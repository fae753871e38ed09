#include "runtime/query/graph_query.hpp"

#include "runtime/query/sql_builder.hpp"
#include "runtime/store/sqlite_db.hpp"

namespace seerflow::query {

std::size_t for_each_graph_edge(const store::sqlite_db& db, const graph_filter& f,
                                const std::function<bool(const graph_edge_row&)>& on_row) {
  sql_builder q(
      "SELECT from_type, from_value, edge_type, to_type, to_value, first_seen_ns, last_seen_ns, "
      "count FROM graph_edges");
  if (!f.entity_value.empty()) {
    if (f.entity_type)
      q.where("((from_value = ? AND from_type = ?) OR (to_value = ? AND to_type = ?))",
              {f.entity_value, *f.entity_type, f.entity_value, *f.entity_type});
    else
      q.where("(from_value = ? OR to_value = ?)", {f.entity_value, f.entity_value});
  }
  if (!f.edge_type.empty()) q.where("edge_type = ?", {f.edge_type});
  q.tail("ORDER BY count DESC, from_value, edge_type, to_value");
  q.limit(f.limit);
  auto s = db.prepare(q.sql(), false);
  q.bind(s);
  std::size_t n = 0;
  graph_edge_row r;
  while (s.step()) {
    r.from_type = std::string(s.column_text(0));
    r.from_value = std::string(s.column_text(1));
    r.edge_type = std::string(s.column_text(2));
    r.to_type = std::string(s.column_text(3));
    r.to_value = std::string(s.column_text(4));
    r.first_seen_ns = s.column_int64(5);
    r.last_seen_ns = s.column_int64(6);
    r.count = s.column_int64(7);
    ++n;
    if (!on_row(r)) break;
  }
  return n;
}

}  // namespace seerflow::query
