#include "runtime/store/pg/pg_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <variant>
#include <vector>

#include "runtime/query/entity_match.hpp"
#include "runtime/query/query_error.hpp"
#include "runtime/store/migrations.hpp"
#include "runtime/store/pg/pg_connection.hpp"
#include "runtime/store/pg/pg_migrations.hpp"
#include "runtime/store/pg/pg_text.hpp"
#include "runtime/store/store_error.hpp"

namespace seerflow::store::pg {

namespace {

using value = std::variant<std::int64_t, std::string>;

// A SELECT from fixed fragments; each '?' of a fragment becomes the next $n, its value a
// parameter. (The PostgreSQL twin of query::sql_builder.)
class pg_builder {
 public:
  explicit pg_builder(std::string select) : sql_(std::move(select)) {}
  void where(std::string_view fragment, std::vector<value> vals) {
    std::string cond;
    for (const char c : fragment) {
      if (c == '?')
        cond += "$" + std::to_string(++n_);
      else
        cond += c;
    }
    conditions_.push_back(std::move(cond));
    for (auto& v : vals) values_.push_back(std::move(v));
  }
  void tail(std::string_view fixed) { tail_ = fixed; }
  void limit(std::size_t n) { limit_ = n; }
  std::string sql() const {
    std::string out = sql_;
    for (std::size_t i = 0; i < conditions_.size(); ++i)
      out += (i == 0 ? " WHERE (" : " AND (") + conditions_[i] + ")";
    if (!tail_.empty()) out += " " + tail_;
    if (limit_ > 0) out += " LIMIT " + std::to_string(limit_);
    return out;
  }
  params bound() const {
    params p;
    std::string scratch;
    for (const auto& v : values_) {
      if (const auto* n = std::get_if<std::int64_t>(&v))
        p.int64(*n);
      else
        p.text(clean_text(std::get<std::string>(v), scratch));
    }
    return p;
  }

 private:
  std::string sql_, tail_;
  std::vector<std::string> conditions_;
  std::vector<value> values_;
  std::size_t limit_ = 0;
  int n_ = 0;
};

constexpr std::array<std::string_view, 5> severities{"informational", "low", "medium", "high",
                                                     "critical"};

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  std::size_t b = 0;
  while (true) {
    const auto e = s.find(',', b);
    out.emplace_back(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  return out;
}

void quote_operand(std::string& out, std::string_view word) {
  out += '\'';
  for (const char c : word) {
    if (c == '\'' || c == '\\') out += c;  // doubled: '' and \\ inside a quoted operand
    out += c;
  }
  out += '\'';
}

}  // namespace

std::optional<std::string> fts_to_tsquery(std::string_view q) {
  std::string out;
  int depth = 0;
  // What the last item was: an operand (or ')') wants an operator before the next operand.
  bool after_operand = false;
  const auto operand = [&](std::string_view word, bool prefix) {
    if (after_operand) out += " & ";
    quote_operand(out, word);
    if (prefix) out += ":*";
    after_operand = true;
  };
  std::size_t i = 0;
  while (i < q.size()) {
    const char c = q[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '(') {
      if (after_operand) out += " & ";
      out += '(';
      ++depth;
      after_operand = false;
      ++i;
    } else if (c == ')') {
      if (--depth < 0) return std::nullopt;
      out += ')';
      after_operand = true;
      ++i;
    } else if (c == '"') {
      const auto end = q.find('"', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      const bool prefix = end + 1 < q.size() && q[end + 1] == '*';
      operand(q.substr(i + 1, end - i - 1), prefix);
      i = end + 1 + (prefix ? 1 : 0);
    } else {
      std::size_t end = i;
      while (end < q.size() && !std::isspace(static_cast<unsigned char>(q[end])) && q[end] != '(' &&
             q[end] != ')' && q[end] != '"')
        ++end;
      std::string_view word = q.substr(i, end - i);
      i = end;
      // FTS5's operators are upper case; anything else is a word.
      if (word == "AND") {
        out += " & ";
        after_operand = false;
      } else if (word == "OR") {
        out += " | ";
        after_operand = false;
      } else if (word == "NOT") {
        out += " & !";
        after_operand = false;
      } else {
        const bool prefix = word.size() > 1 && word.back() == '*';
        if (prefix) word.remove_suffix(1);
        operand(word, prefix);
      }
    }
  }
  if (depth != 0) return std::nullopt;
  return out;
}

pg_reader::pg_reader(const std::string& url) : conn_(std::make_unique<connection>(url)) {
  const int version = check_schema(*conn_);
  if (version < latest_schema_version())
    throw store_error(1, "the store at " + conn_->location() + " has an older schema (version " +
                             std::to_string(version) + "); start seerflow once to migrate it");
}

pg_reader::~pg_reader() = default;

std::string pg_reader::location() const {
  return conn_->location();
}

std::size_t pg_reader::events(const query::event_filter& f,
                              const query::row_callback<query::event_row>& on_row) {
  pg_builder q(
      "SELECT e.id, e.time_ns, e.facility, e.severity, e.source, e.host, e.app, e.procid, "
      "e.message, e.fields, e.template_id, t.template FROM events AS e "
      "LEFT JOIN templates AS t ON t.template_id = e.template_id");
  if (f.since_ns) q.where("e.time_ns >= ?", {*f.since_ns});
  if (f.until_ns) q.where("e.time_ns < ?", {*f.until_ns});
  if (!f.source.empty()) q.where("e.source = ?", {f.source});
  if (!f.host.empty()) q.where("e.host = ?", {f.host});
  if (!f.app.empty()) q.where("e.app = ?", {f.app});
  if (f.template_id) q.where("e.template_id = ?", {static_cast<std::int64_t>(*f.template_id)});
  if (f.max_severity) q.where("e.severity <= ?", {static_cast<std::int64_t>(*f.max_severity)});
  if (!f.entity.empty()) {
    const auto e = query::split_entity_arg(f.entity);
    if (e.type)
      q.where(
          "e.id IN (SELECT l.event_id FROM event_entities AS l WHERE l.entity_key IN "
          "(SELECT entity_key FROM entities WHERE value = ? AND type = ?))",
          {e.value, *e.type});
    else
      q.where(
          "e.id IN (SELECT l.event_id FROM event_entities AS l WHERE l.entity_key IN "
          "(SELECT entity_key FROM entities WHERE value = ?))",
          {e.value});
  }
  if (!f.search.empty()) {
    const auto ts = fts_to_tsquery(f.search);
    if (!ts)
      throw query::query_error("search '" + f.search +
                               "' is not a valid full-text query (unbalanced quote or "
                               "parenthesis); quote words with special characters: "
                               "'\"10.0.0.1\"'");
    q.where("e.message_tsv @@ to_tsquery('simple', ?)", {*ts});
  }
  q.tail(f.oldest_first ? "ORDER BY e.time_ns ASC, e.id ASC"
                        : "ORDER BY e.time_ns DESC, e.id DESC");
  q.limit(f.limit);
  result r;
  try {
    r = conn_->query(q.sql(), q.bound());
  } catch (const store_error& e) {
    const std::string what = e.what();
    if (!f.search.empty() &&
        (what.find("tsquery") != std::string::npos || what.find("42601") != std::string::npos))
      throw query::query_error("search '" + f.search + "' is not a valid full-text query (" + what +
                               "); quote words with special characters: '\"10.0.0.1\"'");
    throw;
  }
  std::size_t n = 0;
  query::event_row row;
  const auto opt_int = [&](int i, int c) {
    return r.is_null(i, c) ? std::optional<int>() : std::optional<int>(r.int64(i, c));
  };
  for (int i = 0; i < r.rows(); ++i) {
    row.id = r.int64(i, 0);
    row.time_ns = r.int64(i, 1);
    row.facility = opt_int(i, 2);
    row.severity = opt_int(i, 3);
    row.source = r.text_or_empty(i, 4);
    row.host = r.text_or_empty(i, 5);
    row.app = r.text_or_empty(i, 6);
    row.procid = r.text_or_empty(i, 7);
    row.message = r.text_or_empty(i, 8);
    row.fields_json = r.text_or_empty(i, 9);
    row.template_id =
        r.is_null(i, 10) ? std::optional<std::uint64_t>()
                         : std::optional<std::uint64_t>(static_cast<std::uint64_t>(r.int64(i, 10)));
    row.template_text = r.text_or_empty(i, 11);
    ++n;
    if (!on_row(row)) break;
  }
  return n;
}

std::size_t pg_reader::alerts(const query::alert_filter& f,
                              const query::row_callback<query::alert_row>& on_row) {
  pg_builder q(
      "SELECT a.id, a.kind, a.severity, a.rule, a.title, a.source, a.time_ns, a.last_time_ns, "
      "a.dedup_count, a.entities, a.details, a.verdict, "
      "(SELECT string_agg(tactic, ',' ORDER BY tactic COLLATE \"C\") FROM alert_tactics "
      "WHERE alert_id = a.id), "
      "(SELECT string_agg(technique, ',' ORDER BY technique COLLATE \"C\") FROM "
      "alert_techniques WHERE alert_id = a.id) "
      "FROM alerts AS a");
  if (f.since_ns) q.where("a.time_ns >= ?", {*f.since_ns});
  if (f.until_ns) q.where("a.time_ns < ?", {*f.until_ns});
  if (!f.kind.empty()) q.where("a.kind = ?", {f.kind});
  if (!f.rule.empty()) q.where("a.rule = ?", {f.rule});
  if (!f.tactic.empty())
    q.where("a.id IN (SELECT alert_id FROM alert_tactics WHERE tactic = ?)",
            {query::normalise_tactic(f.tactic)});
  if (!f.technique.empty()) {
    const auto t = query::normalise_technique(f.technique);
    q.where(
        "a.id IN (SELECT alert_id FROM alert_techniques WHERE technique = ? OR "
        "starts_with(technique, ?))",
        {t, t + "."});
  }
  if (!f.entity.empty()) {
    const auto e = query::split_entity_arg(f.entity);
    if (e.type)
      q.where(
          "EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(a.entities, '[]')::jsonb) AS j "
          "WHERE j->>'value' = ? AND j->>'type' = ?)",
          {e.value, *e.type});
    else
      q.where(
          "EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(a.entities, '[]')::jsonb) AS j "
          "WHERE j->>'value' = ?)",
          {e.value});
  }
  if (!f.min_severity.empty()) {
    std::size_t rank = severities.size();
    for (std::size_t i = 0; i < severities.size(); ++i)
      if (severities[i] == f.min_severity) rank = i;
    if (rank == severities.size())
      throw query::query_error("unknown severity '" + f.min_severity +
                               "' (informational, low, medium, high or critical)");
    std::string in = "a.severity IN (";
    std::vector<value> vals;
    for (std::size_t i = rank; i < severities.size(); ++i) {
      in += i == rank ? "?" : ", ?";
      vals.emplace_back(std::string(severities[i]));
    }
    q.where(in + ")", std::move(vals));
  }
  q.tail(f.oldest_first ? "ORDER BY a.time_ns ASC, a.id COLLATE \"C\" ASC"
                        : "ORDER BY a.time_ns DESC, a.id COLLATE \"C\" DESC");
  q.limit(f.limit);
  const auto r = conn_->query(q.sql(), q.bound());
  std::size_t n = 0;
  query::alert_row row;
  for (int i = 0; i < r.rows(); ++i) {
    row.id = r.text_or_empty(i, 0);
    row.kind = r.text_or_empty(i, 1);
    row.severity = r.text_or_empty(i, 2);
    row.rule = r.text_or_empty(i, 3);
    row.title = r.text_or_empty(i, 4);
    row.source = r.text_or_empty(i, 5);
    row.time_ns = r.int64(i, 6);
    row.last_time_ns = r.int64(i, 7);
    row.dedup_count = r.int64(i, 8);
    row.entities_json = r.text_or_empty(i, 9);
    row.details_json = r.text_or_empty(i, 10);
    row.verdict = r.text_or_empty(i, 11);
    row.tactics = split_commas(r.text(i, 12));
    row.techniques = split_commas(r.text(i, 13));
    ++n;
    if (!on_row(row)) break;
  }
  return n;
}

std::size_t pg_reader::templates(const query::template_filter& f,
                                 const query::row_callback<query::template_row>& on_row) {
  pg_builder q(
      "SELECT template_id, source, template, first_seen_ns, last_seen_ns, event_count "
      "FROM templates");
  if (!f.source.empty()) q.where("source = ?", {f.source});
  if (f.first_seen_since_ns) q.where("first_seen_ns >= ?", {*f.first_seen_since_ns});
  q.tail(f.newest_first ? "ORDER BY first_seen_ns DESC, template_id"
                        : "ORDER BY event_count DESC, template_id");
  q.limit(f.limit);
  const auto r = conn_->query(q.sql(), q.bound());
  std::size_t n = 0;
  query::template_row row;
  for (int i = 0; i < r.rows(); ++i) {
    row.template_id = static_cast<std::uint64_t>(r.int64(i, 0));
    row.source = r.text_or_empty(i, 1);
    row.text = r.text_or_empty(i, 2);
    row.first_seen_ns = r.int64(i, 3);
    row.last_seen_ns = r.int64(i, 4);
    row.event_count = r.int64(i, 5);
    ++n;
    if (!on_row(row)) break;
  }
  return n;
}

std::size_t pg_reader::rules(const query::rule_filter& f,
                             const query::row_callback<query::rule_row>& on_row) {
  pg_builder q(
      "SELECT rule, kind, title, enabled, match_count, first_fired_ns, last_fired_ns "
      "FROM rule_state");
  if (!f.kind.empty()) q.where("kind = ?", {f.kind});
  if (!f.rule.empty()) q.where("rule = ?", {f.rule});
  q.tail("ORDER BY last_fired_ns DESC, rule COLLATE \"C\"");
  q.limit(f.limit);
  const auto r = conn_->query(q.sql(), q.bound());
  std::size_t n = 0;
  query::rule_row row;
  for (int i = 0; i < r.rows(); ++i) {
    row.rule = r.text_or_empty(i, 0);
    row.kind = r.text_or_empty(i, 1);
    row.title = r.text_or_empty(i, 2);
    row.enabled = r.int64(i, 3) != 0;
    row.match_count = r.int64(i, 4);
    row.first_fired_ns = r.int64(i, 5);
    row.last_fired_ns = r.int64(i, 6);
    ++n;
    if (!on_row(row)) break;
  }
  return n;
}

std::size_t pg_reader::graph_edges(const query::graph_filter& f,
                                   const query::row_callback<query::graph_edge_row>& on_row) {
  pg_builder q(
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
  q.tail(
      "ORDER BY count DESC, from_value COLLATE \"C\", edge_type COLLATE \"C\", "
      "to_value COLLATE \"C\"");
  q.limit(f.limit);
  const auto r = conn_->query(q.sql(), q.bound());
  std::size_t n = 0;
  query::graph_edge_row row;
  for (int i = 0; i < r.rows(); ++i) {
    row.from_type = r.text_or_empty(i, 0);
    row.from_value = r.text_or_empty(i, 1);
    row.edge_type = r.text_or_empty(i, 2);
    row.to_type = r.text_or_empty(i, 3);
    row.to_value = r.text_or_empty(i, 4);
    row.first_seen_ns = r.int64(i, 5);
    row.last_seen_ns = r.int64(i, 6);
    row.count = r.int64(i, 7);
    ++n;
    if (!on_row(row)) break;
  }
  return n;
}

std::size_t pg_reader::entities(const std::string& text, std::size_t limit,
                                const query::row_callback<query::entity_row>& on_row) {
  std::string scratch;
  // A plain substring, case-insensitive for ASCII as SQLite's LIKE is: strpos, never a pattern.
  const auto r = conn_->query(
      "SELECT entity_key, uuid, type, value, first_seen_ns, last_seen_ns, event_count "
      "FROM entities WHERE strpos(lower(value), lower($1)) > 0 "
      "ORDER BY event_count DESC, value COLLATE \"C\" LIMIT $2",
      params().text(clean_text(text, scratch)).int64(static_cast<std::int64_t>(limit)));
  std::size_t n = 0;
  query::entity_row row;
  for (int i = 0; i < r.rows(); ++i) {
    row.entity_key = static_cast<std::uint64_t>(r.int64(i, 0));
    row.uuid = r.text_or_empty(i, 1);
    row.type = r.text_or_empty(i, 2);
    row.value = r.text_or_empty(i, 3);
    row.first_seen_ns = r.int64(i, 4);
    row.last_seen_ns = r.int64(i, 5);
    row.event_count = r.int64(i, 6);
    ++n;
    if (!on_row(row)) break;
  }
  return n;
}

prune_result pg_reader::prune_templates(const prune_options& o) {
  prune_result out;
  auto& c = *conn_;
  try {
    c.exec("BEGIN");
    const auto pick = c.query(
        "SELECT template_id, source, template, last_seen_ns, event_count FROM templates "
        "WHERE last_seen_ns < $1 AND event_count <= $2 ORDER BY last_seen_ns, template_id "
        "FOR UPDATE",
        params().int64(o.unseen_since_ns).int64(o.max_events.value_or(INT64_MAX)));
    std::int64_t newest = INT64_MIN;
    std::string ids = "{";
    for (int i = 0; i < pick.rows(); ++i) {
      pruned_template t;
      t.template_id = static_cast<std::uint64_t>(pick.int64(i, 0));
      t.source = pick.text_or_empty(i, 1);
      t.text = pick.text_or_empty(i, 2);
      t.last_seen_ns = pick.int64(i, 3);
      t.event_count = pick.int64(i, 4);
      newest = std::max(newest, t.last_seen_ns);
      if (ids.size() > 1) ids += ',';
      ids += std::to_string(static_cast<std::int64_t>(t.template_id));
      out.templates.push_back(std::move(t));
    }
    ids += '}';
    if (!out.templates.empty()) {
      // A template's events are no newer than its last sighting: the time index bounds it.
      if (o.dry_run) {
        out.events_unlinked =
            c.query(
                 "SELECT count(*) FROM events WHERE time_ns <= $1 AND template_id = "
                 "ANY($2::bigint[])",
                 params().int64(newest).text(ids))
                .int64(0, 0);
      } else {
        out.events_unlinked = c.query(
                                   "UPDATE events SET template_id = NULL WHERE time_ns <= $1 "
                                   "AND template_id = ANY($2::bigint[])",
                                   params().int64(newest).text(ids))
                                  .affected();
        c.query("DELETE FROM templates WHERE template_id = ANY($1::bigint[])", params().text(ids));
      }
    }
    c.exec(o.dry_run ? "ROLLBACK" : "COMMIT");
  } catch (...) {
    c.rollback_quietly();
    throw;
  }
  return out;
}

}  // namespace seerflow::store::pg
