#include "runtime/query/sqlite_reader.hpp"

namespace seerflow::query {

std::size_t sqlite_reader::events(const event_filter& f, const row_callback<event_row>& on_row) {
  return for_each_event(db_, f, on_row);
}

std::size_t sqlite_reader::alerts(const alert_filter& f, const row_callback<alert_row>& on_row) {
  return for_each_alert(db_, f, on_row);
}

std::size_t sqlite_reader::templates(const template_filter& f,
                                     const row_callback<template_row>& on_row) {
  return for_each_template(db_, f, on_row);
}

std::size_t sqlite_reader::rules(const rule_filter& f, const row_callback<rule_row>& on_row) {
  return for_each_rule(db_, f, on_row);
}

std::size_t sqlite_reader::graph_edges(const graph_filter& f,
                                       const row_callback<graph_edge_row>& on_row) {
  return for_each_graph_edge(db_, f, on_row);
}

std::size_t sqlite_reader::entities(const std::string& text, std::size_t limit,
                                    const row_callback<entity_row>& on_row) {
  // The text is a parameter with LIKE's wildcards escaped: never SQL, never a pattern.
  std::string like = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') like.push_back('\\');
    like.push_back(c);
  }
  like.push_back('%');
  auto st = db_.prepare(
      "SELECT entity_key, uuid, type, value, first_seen_ns, last_seen_ns, event_count "
      "FROM entities_all WHERE value LIKE ?1 ESCAPE '\\' ORDER BY event_count DESC, value "
      "LIMIT ?2",
      false);
  st.bind_text(1, like);
  st.bind_int64(2, static_cast<std::int64_t>(limit));
  std::size_t n = 0;
  entity_row r;
  while (st.step()) {
    r.entity_key = static_cast<std::uint64_t>(st.column_int64(0));
    r.uuid = std::string(st.column_text(1));
    r.type = std::string(st.column_text(2));
    r.value = std::string(st.column_text(3));
    r.first_seen_ns = st.column_int64(4);
    r.last_seen_ns = st.column_int64(5);
    r.event_count = st.column_int64(6);
    ++n;
    if (!on_row(r)) break;
  }
  return n;
}

store::prune_result sqlite_reader::prune_templates(const store::prune_options& o) {
  return store::prune_templates(db_, o);
}

}  // namespace seerflow::query
