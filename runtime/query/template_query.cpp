#include "runtime/query/template_query.hpp"

#include "runtime/query/sql_builder.hpp"
#include "runtime/store/sqlite_db.hpp"

namespace seerflow::query {

std::size_t for_each_template(const store::sqlite_db& db, const template_filter& f,
                              const std::function<bool(const template_row&)>& on_row) {
  sql_builder q(
      "SELECT template_id, source, template, first_seen_ns, last_seen_ns, event_count "
      "FROM templates");
  if (!f.source.empty()) q.where("source = ?", {f.source});
  if (f.first_seen_since_ns) q.where("first_seen_ns >= ?", {*f.first_seen_since_ns});
  q.tail(f.newest_first ? "ORDER BY first_seen_ns DESC, template_id"
                        : "ORDER BY event_count DESC, template_id");
  q.limit(f.limit);
  auto s = db.prepare(q.sql(), false);
  q.bind(s);
  std::size_t n = 0;
  template_row r;
  while (s.step()) {
    r.template_id = static_cast<std::uint64_t>(s.column_int64(0));
    r.source = s.column_is_null(1) ? std::string() : std::string(s.column_text(1));
    r.text = s.column_is_null(2) ? std::string() : std::string(s.column_text(2));
    r.first_seen_ns = s.column_int64(3);
    r.last_seen_ns = s.column_int64(4);
    r.event_count = s.column_int64(5);
    ++n;
    if (!on_row(r)) break;
  }
  return n;
}

}  // namespace seerflow::query
