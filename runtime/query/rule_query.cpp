#include "runtime/query/rule_query.hpp"

#include "runtime/query/sql_builder.hpp"
#include "runtime/store/sqlite_db.hpp"

namespace seerflow::query {

std::size_t for_each_rule(const store::sqlite_db& db, const rule_filter& f,
                          const std::function<bool(const rule_row&)>& on_row) {
  sql_builder q(
      "SELECT rule, kind, title, enabled, match_count, first_fired_ns, last_fired_ns "
      "FROM rule_state");
  if (!f.kind.empty()) q.where("kind = ?", {f.kind});
  if (!f.rule.empty()) q.where("rule = ?", {f.rule});
  q.tail("ORDER BY last_fired_ns DESC, rule");
  q.limit(f.limit);
  auto s = db.prepare(q.sql(), false);
  q.bind(s);
  std::size_t n = 0;
  rule_row r;
  while (s.step()) {
    r.rule = std::string(s.column_text(0));
    r.kind = std::string(s.column_text(1));
    r.title = s.column_is_null(2) ? std::string() : std::string(s.column_text(2));
    r.enabled = s.column_int64(3) != 0;
    r.match_count = s.column_int64(4);
    r.first_fired_ns = s.column_int64(5);
    r.last_fired_ns = s.column_int64(6);
    ++n;
    if (!on_row(r)) break;
  }
  return n;
}

}  // namespace seerflow::query
