#pragma once
// A SQLite connection owned RAII-style: open with flags and a busy timeout, run fixed SQL,
// prepare statements. One connection is used by one thread at a time (SQLITE_OPEN_NOMUTEX).
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/store/statement.hpp"

namespace seerflow::store {

class sqlite_db {
 public:
  static constexpr int default_flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

  sqlite_db() = default;
  // Opens `path` and reads its header, so that a file which is not a SQLite database is
  // refused here with a clear store_error rather than at the first query.
  explicit sqlite_db(std::string path, int flags = default_flags, int busy_timeout_ms = 5000);
  ~sqlite_db() { close(); }

  sqlite_db(const sqlite_db&) = delete;
  sqlite_db& operator=(const sqlite_db&) = delete;
  sqlite_db(sqlite_db&& o) noexcept;
  sqlite_db& operator=(sqlite_db&& o) noexcept;

  // Runs one or more statements of fixed SQL (no data: use prepare and bind for that).
  void exec(const std::string& sql) const;
  statement prepare(std::string_view sql, bool persistent = true) const {
    return statement(db_, sql, persistent);
  }
  // Runs a query of fixed SQL and returns the first column of its first row (0 if no row).
  std::int64_t query_int64(std::string_view sql) const;
  std::string query_text(std::string_view sql) const;

  bool in_transaction() const { return db_ && !sqlite3_get_autocommit(db_); }
  int changes() const { return sqlite3_changes(db_); }
  std::int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  void set_busy_timeout(int ms);
  // Closes the connection; statements prepared on it must have been destroyed first.
  void close() noexcept;

  bool is_open() const { return db_ != nullptr; }
  const std::string& path() const { return path_; }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace seerflow::store
