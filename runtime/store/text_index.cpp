#include "runtime/store/text_index.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "runtime/store/store_error.hpp"

namespace seerflow::store {

namespace {

// PRAGMA application_id of an index file ("SEEF"), so that a stray file at the index's path
// that is not one is refused instead of being emptied.
constexpr std::int64_t index_application_id = 0x53454546;

constexpr const char* schema_sql =
    "CREATE TABLE IF NOT EXISTS fts_meta(name TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS fts_parts(number INTEGER PRIMARY KEY, first_id INTEGER NOT NULL,"
    " last_id INTEGER NOT NULL, capacity INTEGER NOT NULL);";

void rollback_quietly(sqlite_db& db) noexcept {
  if (db.in_transaction()) sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace

std::string text_index_path(const std::string& store_path) {
  return store_path + "-fts";
}

bool attach_text_index(sqlite_db& db) {
  const std::string path = text_index_path(db.path());
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  auto attach = db.prepare("ATTACH DATABASE ?1 AS fts", false);
  attach.bind_text(1, path);
  attach.run();
  return true;
}

text_index_view text_index_view::read(const sqlite_db& db) {
  text_index_view v;
  if (db.query_int64("SELECT count(*) FROM pragma_database_list WHERE name = 'fts'") == 0) return v;
  // A file at the path that is not (yet) an index has no fts_meta: treated as no index.
  if (db.query_int64("SELECT count(*) FROM fts.sqlite_master WHERE name = 'fts_meta'") == 0)
    return v;
  const std::string own = db.query_text(
      "SELECT coalesce((SELECT value FROM fts.fts_meta WHERE name = 'store_uid'), '')");
  const std::string store = db.query_text(
      "SELECT coalesce((SELECT value FROM main.store_meta WHERE name = 'store_uid'), '')");
  if (own.empty() || own != store) return v;
  v.indexed_through = db.query_int64(
      "SELECT coalesce((SELECT value FROM fts.fts_meta WHERE name = 'indexed_through'), 0)");
  auto q = db.prepare("SELECT number FROM fts.fts_parts ORDER BY number", false);
  while (q.step()) v.tables.push_back(text_index::table(q.column_int64(0)));
  return v;
}

std::string text_index::table(std::int64_t number) {
  return "part_" + std::to_string(number);
}

text_index::text_index(const std::string& store_path, text_index_options o)
    : db_(text_index_path(store_path), sqlite_db::default_flags, o.busy_timeout_ms), options_(o) {
  const auto app = db_.query_int64("PRAGMA application_id");
  const bool empty = db_.query_int64("SELECT count(*) FROM sqlite_master") == 0;
  if (app != index_application_id && !(app == 0 && empty))
    throw store_error(SQLITE_ERROR, db_.path() +
                                        " is not a seerflow full-text index; move it away (the "
                                        "index is rebuilt from the events)");
  // Dropped parts give their pages back to the file system (retention's size cap counts them).
  if (empty) db_.exec("PRAGMA auto_vacuum = INCREMENTAL");
  const std::string mode = db_.query_text("PRAGMA journal_mode = WAL");
  if (mode != "wal")
    throw store_error(SQLITE_ERROR,
                      db_.path() + " cannot use write-ahead logging (journal mode '" + mode + "')");
  db_.exec("PRAGMA synchronous = NORMAL; PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY;");
  db_.exec(schema_sql);
  db_.exec("PRAGMA application_id = " + std::to_string(index_application_id));
  {
    auto attach = db_.prepare("ATTACH DATABASE ?1 AS ev", false);
    attach.bind_text(1, store_path);
    attach.run();
  }
  store_max_ = db_.prepare("SELECT coalesce(max(id), 0) FROM ev.events");
  store_min_ = db_.prepare("SELECT min(id) FROM ev.events");
  read_chunk_ = db_.prepare(
      "SELECT id, message FROM ev.events WHERE id > ?1 AND id <= ?2 AND message IS NOT NULL "
      "ORDER BY id");
  set_watermark_ = db_.prepare(
      "INSERT INTO fts_meta(name, value) VALUES('indexed_through', ?1) "
      "ON CONFLICT(name) DO UPDATE SET value = excluded.value");
  set_part_end_ = db_.prepare("UPDATE fts_parts SET last_id = ?2 WHERE number = ?1");

  const std::string store_uid = db_.query_text(
      "SELECT coalesce((SELECT value FROM ev.store_meta WHERE name = 'store_uid'), "
      "'')");
  const std::string own_uid =
      db_.query_text("SELECT coalesce((SELECT value FROM fts_meta WHERE name = 'store_uid'), '')");
  if (own_uid != store_uid || own_uid.empty()) reset(store_uid);
  load();
}

void text_index::load() {
  indexed_through_ = db_.query_int64(
      "SELECT coalesce((SELECT value FROM fts_meta WHERE name = 'indexed_through'), 0)");
  parts_.clear();
  auto q = db_.prepare("SELECT number, first_id, last_id, capacity FROM fts_parts ORDER BY number",
                       false);
  while (q.step())
    parts_.push_back({q.column_int64(0), q.column_int64(1), q.column_int64(2), q.column_int64(3)});
}

void text_index::reset(const std::string& store_uid) {
  load();
  try {
    db_.exec("BEGIN");  // deferred: IMMEDIATE would also lock the attached store
    for (const auto& p : parts_) db_.exec("DROP TABLE IF EXISTS " + table(p.number));
    db_.exec("DELETE FROM fts_parts; DELETE FROM fts_meta;");
    auto uid = db_.prepare("INSERT INTO fts_meta(name, value) VALUES('store_uid', ?1)", false);
    uid.bind_text(1, store_uid);
    uid.run();
    db_.exec("COMMIT");
  } catch (...) {
    rollback_quietly(db_);
    throw;
  }
  db_.exec("PRAGMA incremental_vacuum");
}

std::int64_t text_index::next_capacity() const {
  // A search runs one MATCH per part (about a millisecond each on a large store), so parts
  // grow with the store: each new one holds a quarter of the ids the index spans, so their
  // number grows with the logarithm of the store's size (about 16 at 10 M events), and the
  // index space retention waits for before it frees a part stays a small share of the store.
  std::int64_t span = 0;
  if (!parts_.empty()) span = indexed_through_ - parts_.front().first_id + 1;
  return std::clamp<std::int64_t>(span / 4, options_.part_rows,
                                  std::max(options_.part_rows, options_.max_part_rows));
}

void text_index::add_part(std::int64_t first_id, std::int64_t capacity) {
  const std::int64_t number = parts_.empty() ? 1 : parts_.back().number + 1;
  const std::string name = table(number);
  // Contentless (the text is in events) and without the per-row size table (nothing ranks by
  // bm25): an insert writes only the terms.
  db_.exec("CREATE VIRTUAL TABLE " + name + " USING fts5(message, content='', columnsize=0);" +
           "INSERT INTO " + name + "(" + name + ", rank) VALUES('automerge', 8);" +
           "INSERT INTO fts_parts(number, first_id, last_id, capacity) VALUES(" +
           std::to_string(number) + ", " + std::to_string(first_id) + ", " +
           std::to_string(first_id - 1) + ", " + std::to_string(capacity) + ");");
  parts_.push_back({number, first_id, first_id - 1, capacity});
}

std::int64_t text_index::store_max_id() {
  std::int64_t v = 0;
  if (store_max_.step()) v = store_max_.column_int64(0);
  store_max_.reset();
  return v;
}

std::size_t text_index::step(std::size_t max_rows) {
  const std::int64_t newest = store_max_id();
  if (newest <= indexed_through_ || max_rows == 0) return 0;
  std::int64_t through = std::min(newest, indexed_through_ + static_cast<std::int64_t>(max_rows));
  const bool new_part = parts_.empty() || parts_.back().last_id - parts_.back().first_id + 1 >=
                                              parts_.back().capacity;
  const std::int64_t part_first = new_part ? indexed_through_ + 1 : parts_.back().first_id;
  const std::int64_t capacity = new_part ? next_capacity() : parts_.back().capacity;
  through = std::min(through, part_first + capacity - 1);

  // The messages are read first, in a read of their own, so that the store's WAL is never
  // pinned by a long indexing transaction (this thread may run at idle priority).
  chunk_.clear();
  read_chunk_.bind_int64(1, indexed_through_);
  read_chunk_.bind_int64(2, through);
  try {
    while (read_chunk_.step())
      chunk_.emplace_back(read_chunk_.column_int64(0), std::string(read_chunk_.column_text(1)));
  } catch (...) {
    read_chunk_.reset();
    throw;
  }
  read_chunk_.reset();

  try {
    db_.exec("BEGIN");  // deferred: IMMEDIATE would also lock the attached store
    if (new_part) add_part(part_first, capacity);
    auto& p = parts_.back();
    auto insert =
        db_.prepare("INSERT INTO " + table(p.number) + "(rowid, message) VALUES(?1, ?2)", false);
    for (const auto& [id, text] : chunk_) {
      insert.bind_int64(1, id);
      insert.bind_text(2, text, lifetime::borrowed);
      insert.run();
    }
    set_part_end_.bind_int64(1, p.number);
    set_part_end_.bind_int64(2, through);
    set_part_end_.run();
    set_watermark_.bind_int64(1, through);
    set_watermark_.run();
    db_.exec("COMMIT");
    p.last_id = through;
  } catch (...) {
    rollback_quietly(db_);
    load();  // the parts and watermark as committed
    throw;
  }
  const auto n = static_cast<std::size_t>(through - indexed_through_);
  indexed_through_ = through;
  return n;
}

std::size_t text_index::drop_expired() {
  std::int64_t oldest = indexed_through_ + 1;  // no event left: every indexed part has expired
  if (store_min_.step() && !store_min_.column_is_null(0)) oldest = store_min_.column_int64(0);
  store_min_.reset();
  std::size_t dropped = 0;
  while (!parts_.empty() && parts_.front().last_id < oldest &&
         parts_.front().last_id >= parts_.front().first_id) {
    const auto number = parts_.front().number;
    try {
      db_.exec("BEGIN");  // deferred: IMMEDIATE would also lock the attached store
      db_.exec("DROP TABLE " + table(number) +
               "; DELETE FROM fts_parts WHERE number = " + std::to_string(number) + ";");
      db_.exec("COMMIT");
    } catch (...) {
      rollback_quietly(db_);
      throw;
    }
    parts_.erase(parts_.begin());
    ++dropped;
  }
  if (dropped > 0) db_.exec("PRAGMA incremental_vacuum");
  return dropped;
}

}  // namespace seerflow::store
