#include "runtime/store/sqlite_db.hpp"

#include <mutex>
#include <utility>

#include "runtime/store/store_error.hpp"

namespace seerflow::store {

namespace {

[[noreturn]] void throw_open_error(int code, const std::string& path, const char* what) {
  const int primary = code & 0xff;
  if (primary == SQLITE_NOTADB)
    throw store_error(code, "database " + path +
                                " is not a SQLite database (file is not a database); "
                                "use another storage.path");
  if (primary == SQLITE_CORRUPT)
    throw store_error(code, "database " + path + " is corrupt (" + what +
                                "); restore it from a backup or use another storage.path");
  if (primary == SQLITE_CANTOPEN)
    throw store_error(code, "cannot open database " + path + ": " + what +
                                " (does its directory exist, and is it writable?)");
  throw store_error(code, "cannot open database " + path + ": " + what);
}

// SQLite's allocation statistics take a global mutex on every malloc; nothing here reads them.
// The setting must precede SQLite's initialisation, so it only takes effect if no other code in
// the process opened a database first (otherwise SQLite refuses it, harmlessly).
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}

}  // namespace

sqlite_db::sqlite_db(std::string path, int flags, int busy_timeout_ms) : path_(std::move(path)) {
  configure_sqlite_once();
  const int rc = sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const int code = db_ ? sqlite3_extended_errcode(db_) : rc;
    const std::string what = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    close();
    throw_open_error(code, path_, what.c_str());
  }
  sqlite3_extended_result_codes(db_, 1);
  set_busy_timeout(busy_timeout_ms);
  // Opening is lazy in SQLite; reading the schema cookie makes it parse the header now.
  sqlite3_stmt* probe = nullptr;
  int prc = sqlite3_prepare_v2(db_, "PRAGMA schema_version", -1, &probe, nullptr);
  if (prc == SQLITE_OK) {
    prc = sqlite3_step(probe);
    if (prc == SQLITE_ROW || prc == SQLITE_DONE) prc = SQLITE_OK;
  }
  sqlite3_finalize(probe);
  if (prc != SQLITE_OK) {
    const int code = sqlite3_extended_errcode(db_);
    const std::string what = sqlite3_errmsg(db_);
    close();
    throw_open_error(code ? code : prc, path_, what.c_str());
  }
}

sqlite_db::sqlite_db(sqlite_db&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)), path_(std::move(o.path_)) {}

sqlite_db& sqlite_db::operator=(sqlite_db&& o) noexcept {
  if (this != &o) {
    close();
    db_ = std::exchange(o.db_, nullptr);
    path_ = std::move(o.path_);
  }
  return *this;
}

void sqlite_db::close() noexcept {
  // close_v2 defers the real close until the last statement is finalized, so a statement
  // that outlives its connection by mistake does not crash.
  if (db_) sqlite3_close_v2(std::exchange(db_, nullptr));
}

void sqlite_db::set_busy_timeout(int ms) {
  sqlite3_busy_timeout(db_, ms < 0 ? 0 : ms);
}

void sqlite_db::exec(const std::string& sql) const {
  if (!db_) throw store_error(SQLITE_MISUSE, "exec on a closed database");
  char* err = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    const auto first_line = sql.substr(0, std::min(sql.find('\n'), std::size_t{80}));
    throw store_error(sqlite3_extended_errcode(db_),
                      "`" + first_line + "` failed on " + path_ + ": " + msg);
  }
}

std::int64_t sqlite_db::query_int64(std::string_view sql) const {
  if (!db_) throw store_error(SQLITE_MISUSE, "query on a closed database");
  statement s(db_, sql, false);
  return s.step() ? s.column_int64(0) : 0;
}

std::string sqlite_db::query_text(std::string_view sql) const {
  if (!db_) throw store_error(SQLITE_MISUSE, "query on a closed database");
  statement s(db_, sql, false);
  return s.step() ? std::string(s.column_text(0)) : std::string();
}

}  // namespace seerflow::store
