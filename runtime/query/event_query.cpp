#include "runtime/query/event_query.hpp"

#include <cctype>

#include "runtime/query/entity_match.hpp"
#include "runtime/query/query_error.hpp"
#include "runtime/query/sql_builder.hpp"
#include "runtime/store/sqlite_db.hpp"
#include "runtime/store/store_error.hpp"
#include "runtime/store/text_index.hpp"

namespace seerflow::query {
namespace {

// The words of an FTS expression, for the substring match of not-yet-indexed events:
// operators and syntax characters dropped, lowercased.
std::vector<std::string> plain_words(std::string_view q) {
  std::vector<std::string> out;
  std::string w;
  const auto flush = [&] {
    if (!w.empty() && w != "and" && w != "or" && w != "not" && w != "near") out.push_back(w);
    w.clear();
  };
  for (const char c : q) {
    if (std::isalnum(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80 ||
        c == '_' || c == '.' || c == '-' || c == '/' || c == '@')
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else
      flush();
  }
  flush();
  return out;
}

// A read transaction for the life of a query, when asked for and none is open: several
// statements then see one snapshot of the store and of its attached full-text index.
class read_transaction {
 public:
  read_transaction(const store::sqlite_db& db, bool wanted) : db_(db) {
    if (wanted && !db.in_transaction()) {
      db.exec("BEGIN");
      open_ = true;
    }
  }
  ~read_transaction() {
    if (open_) sqlite3_exec(db_.handle(), "COMMIT", nullptr, nullptr, nullptr);
  }
  read_transaction(const read_transaction&) = delete;
  read_transaction& operator=(const read_transaction&) = delete;

 private:
  const store::sqlite_db& db_;
  bool open_ = false;
};

}  // namespace

std::size_t for_each_event(const store::sqlite_db& db, const event_filter& f,
                           const std::function<bool(const event_row&)>& on_row) {
  sql_builder q(
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
    // The entity's events: its folded posting lists, then the links not folded yet (the tail of
    // events after the fold watermark). Written out rather than through the event_entities view,
    // whose UNION ALL the planner does not filter by entity before running (a full scan of every
    // posting list: seconds on a store of 10 M events).
    const auto e = split_entity_arg(f.entity);
    const std::string keys = e.type ? "(SELECT entity_key FROM entities_all WHERE value = ? AND "
                                      "type = ?)"
                                    : "(SELECT entity_key FROM entities_all WHERE value = ?)";
    std::vector<std::variant<std::int64_t, std::string>> vals{e.value};
    if (e.type) vals.emplace_back(*e.type);
    const auto twice = vals;
    vals.insert(vals.end(), twice.begin(), twice.end());
    q.where(
        "e.id IN (SELECT j.value FROM entity_postings AS p, json_each(p.event_ids) AS j "
        "WHERE p.entity_key IN " +
            keys +
            " UNION ALL SELECT u.id FROM events AS u, json_each(u.entity_keys) AS j "
            "WHERE u.id > (SELECT value FROM store_meta WHERE name = "
            "'folded_through_event_id') AND j.value IN " +
            keys + ")",
        std::move(vals));
  }
  // The search reads the index's parts and watermark and then the events in one read
  // transaction, so that a part retention drops meanwhile still exists for it.
  read_transaction txn(db, !f.search.empty());
  if (!f.search.empty()) {
    // Matches by rowid: each index part's hits, then the events it has not indexed yet by
    // substring (a range of ids after its watermark). As one IN list the planner looks the hits
    // up by id and sorts them; as an OR it scanned every event in time order (seconds on 10 M
    // events for a selective search).
    auto index = store::text_index_view::read(db);
    std::vector<std::variant<std::int64_t, std::string>> vals;
    std::string hits;
    // Without a part the expression is still checked, against an empty table, so that a bad
    // one is reported the same whether or not anything is indexed yet.
    if (index.tables.empty()) {
      db.exec(
          "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_syntax USING fts5(message, content='')");
      index.tables.push_back("temp.search_syntax");
    }
    for (const auto& t : index.tables) {
      const std::string name = t.starts_with("temp.") ? t : "fts." + t;
      const std::string bare = t.substr(t.find('.') == std::string::npos ? 0 : t.find('.') + 1);
      hits += "SELECT rowid FROM " + name + " WHERE " + bare + " MATCH ? UNION ALL ";
      vals.emplace_back(f.search);
    }
    std::string tail_match =
        "SELECT u.id FROM events AS u WHERE u.id > ? AND u.message IS NOT NULL";
    vals.emplace_back(index.indexed_through);
    for (const auto& w : plain_words(f.search)) {
      tail_match += " AND instr(lower(u.message), ?) > 0";
      vals.emplace_back(w);
    }
    q.where("e.id IN (" + hits + tail_match + ")", std::move(vals));
  }
  q.tail(f.oldest_first ? "ORDER BY e.time_ns ASC, e.id ASC"
                        : "ORDER BY e.time_ns DESC, e.id DESC");
  q.limit(f.limit);

  auto s = db.prepare(q.sql(), false);
  q.bind(s);
  std::size_t n = 0;
  event_row r;
  const auto text = [&](int c) {
    return s.column_is_null(c) ? std::string() : std::string(s.column_text(c));
  };
  const auto opt_int = [&](int c) {
    return s.column_is_null(c) ? std::optional<int>() : std::optional<int>(s.column_int64(c));
  };
  try {
    while (s.step()) {
      r.id = s.column_int64(0);
      r.time_ns = s.column_int64(1);
      r.facility = opt_int(2);
      r.severity = opt_int(3);
      r.source = text(4);
      r.host = text(5);
      r.app = text(6);
      r.procid = text(7);
      r.message = text(8);
      r.fields_json = text(9);
      r.template_id =
          s.column_is_null(10)
              ? std::optional<std::uint64_t>()
              : std::optional<std::uint64_t>(static_cast<std::uint64_t>(s.column_int64(10)));
      r.template_text = text(11);
      ++n;
      if (!on_row(r)) break;
    }
  } catch (const store::store_error& e) {
    const std::string what = e.what();
    // With a search, a plain SQLITE_ERROR is FTS5 refusing the expression ("fts5: syntax
    // error", "unterminated string", "no such column"); I/O and lock errors have codes of
    // their own and stay store errors.
    if (!f.search.empty() && e.primary_code() == SQLITE_ERROR)
      throw query_error("search '" + f.search + "' is not a valid full-text query (" + what +
                        "); quote words with special characters: '\"10.0.0.1\"'");
    throw;
  }
  return n;
}

}  // namespace seerflow::query
