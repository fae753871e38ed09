#include "runtime/query/alert_query.hpp"

#include <array>
#include <cctype>

#include "runtime/query/entity_match.hpp"
#include "runtime/query/query_error.hpp"
#include "runtime/query/sql_builder.hpp"
#include "runtime/store/sqlite_db.hpp"

namespace seerflow::query {
namespace {

constexpr std::array<std::string_view, 5> severities{"informational", "low", "medium", "high",
                                                     "critical"};

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (b <= s.size() && !s.empty()) {
    const auto e = s.find(',', b);
    out.emplace_back(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    if (e == std::string_view::npos) break;
    b = e + 1;
  }
  return out;
}

}  // namespace

std::string normalise_tactic(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '_' || c == ' ')
      out += '-';
    else
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.rfind("attack.", 0) == 0) out.erase(0, 7);
  return out;
}

std::string normalise_technique(std::string_view text) {
  std::string out;
  for (const char c : text) out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (out.rfind("ATTACK.", 0) == 0) out.erase(0, 7);
  return out;
}

std::size_t for_each_alert(const store::sqlite_db& db, const alert_filter& f,
                           const std::function<bool(const alert_row&)>& on_row) {
  sql_builder q(
      "SELECT a.id, a.kind, a.severity, a.rule, a.title, a.source, a.time_ns, a.last_time_ns, "
      "a.dedup_count, a.entities, a.details, a.verdict, "
      "(SELECT group_concat(tactic, ',') FROM alert_tactics WHERE alert_id = a.id), "
      "(SELECT group_concat(technique, ',') FROM alert_techniques WHERE alert_id = a.id) "
      "FROM alerts AS a");
  if (f.since_ns) q.where("a.time_ns >= ?", {*f.since_ns});
  if (f.until_ns) q.where("a.time_ns < ?", {*f.until_ns});
  if (!f.kind.empty()) q.where("a.kind = ?", {f.kind});
  if (!f.rule.empty()) q.where("a.rule = ?", {f.rule});
  if (!f.tactic.empty())
    q.where("a.id IN (SELECT alert_id FROM alert_tactics WHERE tactic = ?)",
            {normalise_tactic(f.tactic)});
  if (!f.technique.empty()) {
    const auto t = normalise_technique(f.technique);
    q.where(
        "a.id IN (SELECT alert_id FROM alert_techniques WHERE technique = ? OR "
        "substr(technique, 1, ?) = ?)",
        {t, static_cast<std::int64_t>(t.size() + 1), t + "."});
  }
  if (!f.entity.empty()) {
    const auto e = split_entity_arg(f.entity);
    if (e.type)
      q.where(
          "EXISTS (SELECT 1 FROM json_each(a.entities) AS j WHERE "
          "json_extract(j.value, '$.value') = ? AND json_extract(j.value, '$.type') = ?)",
          {e.value, *e.type});
    else
      q.where(
          "EXISTS (SELECT 1 FROM json_each(a.entities) AS j WHERE "
          "json_extract(j.value, '$.value') = ?)",
          {e.value});
  }
  if (!f.min_severity.empty()) {
    std::size_t rank = severities.size();
    for (std::size_t i = 0; i < severities.size(); ++i)
      if (severities[i] == f.min_severity) rank = i;
    if (rank == severities.size())
      throw query_error("unknown severity '" + f.min_severity +
                        "' (informational, low, medium, high or critical)");
    std::string in = "a.severity IN (";
    std::vector<std::variant<std::int64_t, std::string>> vals;
    for (std::size_t i = rank; i < severities.size(); ++i) {
      in += i == rank ? "?" : ", ?";
      vals.emplace_back(std::string(severities[i]));
    }
    q.where(in + ")", std::move(vals));
  }
  q.tail(f.oldest_first ? "ORDER BY a.time_ns ASC, a.id ASC"
                        : "ORDER BY a.time_ns DESC, a.id DESC");
  q.limit(f.limit);
  auto s = db.prepare(q.sql(), false);
  q.bind(s);
  const auto text = [&](int c) {
    return s.column_is_null(c) ? std::string() : std::string(s.column_text(c));
  };
  std::size_t n = 0;
  alert_row r;
  while (s.step()) {
    r.id = text(0);
    r.kind = text(1);
    r.severity = text(2);
    r.rule = text(3);
    r.title = text(4);
    r.source = text(5);
    r.time_ns = s.column_int64(6);
    r.last_time_ns = s.column_int64(7);
    r.dedup_count = s.column_int64(8);
    r.entities_json = text(9);
    r.details_json = text(10);
    r.verdict = text(11);
    r.tactics = split_commas(text(12));
    r.techniques = split_commas(text(13));
    ++n;
    if (!on_row(r)) break;
  }
  return n;
}

}  // namespace seerflow::query
