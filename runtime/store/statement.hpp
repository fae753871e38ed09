#pragma once
// A prepared SQLite statement owned RAII-style. Data only ever reaches SQL through these typed
// binds; the hot binds are inline because the store calls them ~20 times per event.
#include <sqlite3.h>

#include <cstdint>
#include <string_view>
#include <utility>

namespace seerflow::store {

// How long bound text or blob bytes live. `borrowed` (SQLITE_STATIC) skips SQLite's copy and
// is only correct when the bytes stay unchanged until the statement is stepped and reset.
enum class lifetime { copy, borrowed };

class statement {
 public:
  statement() = default;
  // Prepares `sql` (one statement) on `db`; `persistent` hints SQLite the statement is reused.
  statement(sqlite3* db, std::string_view sql, bool persistent = true);
  ~statement() { sqlite3_finalize(stmt_); }

  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  statement(statement&& o) noexcept : stmt_(std::exchange(o.stmt_, nullptr)) {}
  statement& operator=(statement&& o) noexcept {
    if (this != &o) {
      sqlite3_finalize(stmt_);
      stmt_ = std::exchange(o.stmt_, nullptr);
    }
    return *this;
  }

  // Parameters are numbered from 1, as in SQLite.
  void bind_int64(int i, std::int64_t v) { check_bind(sqlite3_bind_int64(stmt_, i, v), i); }
  void bind_double(int i, double v) { check_bind(sqlite3_bind_double(stmt_, i, v), i); }
  void bind_null(int i) { check_bind(sqlite3_bind_null(stmt_, i), i); }
  void bind_text(int i, std::string_view v, lifetime lt = lifetime::copy) {
    // A null data pointer would bind NULL; empty text must stay text.
    check_bind(sqlite3_bind_text64(stmt_, i, v.data() ? v.data() : "", v.size(), destructor(lt),
                                   SQLITE_UTF8),
               i);
  }
  void bind_blob(int i, std::string_view bytes, lifetime lt = lifetime::copy) {
    check_bind(sqlite3_bind_blob64(stmt_, i, bytes.data() ? bytes.data() : "", bytes.size(),
                                   destructor(lt)),
               i);
  }

  // Runs the statement one step: true when a row is available, false when done. Throws
  // store_error on failure, after resetting the statement so it can be reused.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail_step(rc);
  }
  // Steps a statement that returns no rows, then resets it (bindings are kept).
  void run() {
    step();
    sqlite3_reset(stmt_);
  }
  void reset() { sqlite3_reset(stmt_); }
  void clear_bindings() { sqlite3_clear_bindings(stmt_); }

  // Column getters for the current row; columns are numbered from 0. Text and blob views stay
  // valid until the next step, reset or column call that converts the same column.
  int column_count() const { return sqlite3_column_count(stmt_); }
  int column_type(int c) const { return sqlite3_column_type(stmt_, c); }
  bool column_is_null(int c) const { return column_type(c) == SQLITE_NULL; }
  std::int64_t column_int64(int c) const { return sqlite3_column_int64(stmt_, c); }
  double column_double(int c) const { return sqlite3_column_double(stmt_, c); }
  std::string_view column_text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)))
             : std::string_view();
  }
  std::string_view column_blob(int c) const {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, c));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)))
             : std::string_view();
  }

  sqlite3_stmt* handle() const { return stmt_; }
  explicit operator bool() const { return stmt_ != nullptr; }

 private:
  static sqlite3_destructor_type destructor(lifetime lt) {
    return lt == lifetime::borrowed ? SQLITE_STATIC : SQLITE_TRANSIENT;
  }
  void check_bind(int rc, int i) {
    if (rc != SQLITE_OK) fail_bind(rc, i);
  }
  [[noreturn]] void fail_bind(int rc, int i) const;
  [[noreturn]] void fail_step(int rc);

  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace seerflow::store
