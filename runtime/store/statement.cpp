#include "runtime/store/statement.hpp"

#include <string>

#include "runtime/store/store_error.hpp"

namespace seerflow::store {

namespace {

// The first line of a statement's SQL, enough to tell which statement failed.
std::string sql_excerpt(sqlite3_stmt* stmt) {
  const char* sql = stmt ? sqlite3_sql(stmt) : nullptr;
  if (!sql) return "?";
  std::string_view s(sql);
  s = s.substr(0, s.find('\n'));
  if (s.size() > 80) return std::string(s.substr(0, 77)) + "...";
  return std::string(s);
}

}  // namespace

statement::statement(sqlite3* db, std::string_view sql, bool persistent) {
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt_, &tail);
  if (rc != SQLITE_OK) {
    const int code = sqlite3_extended_errcode(db);
    std::string msg =
        "cannot prepare `" + std::string(sql.substr(0, 80)) + "`: " + sqlite3_errmsg(db);
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    throw store_error(code ? code : rc, msg);
  }
  if (!stmt_) throw store_error(SQLITE_MISUSE, "cannot prepare an empty statement");
  // A second statement in the text would be silently ignored; refuse it instead.
  if (tail && std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
    throw store_error(SQLITE_MISUSE, "prepare takes one statement; use exec for several: `" +
                                         std::string(sql.substr(0, 80)) + "`");
  }
}

void statement::fail_bind(int rc, int i) const {
  throw store_error(rc, "cannot bind parameter " + std::to_string(i) + " of `" +
                            sql_excerpt(stmt_) + "`: " + sqlite3_errstr(rc));
}

void statement::fail_step(int rc) {
  sqlite3* db = sqlite3_db_handle(stmt_);
  const int code = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg =
      "`" + sql_excerpt(stmt_) + "` failed: " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  sqlite3_reset(stmt_);
  throw store_error(code, msg);
}

}  // namespace seerflow::store
