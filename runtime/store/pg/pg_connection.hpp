#pragma once
// A PostgreSQL connection over libpq, owned RAII-style, and its results. Data only ever
// reaches SQL as a parameter ($1, $2, ...) of a prepared or parameterised statement, or as
// COPY data; the SQL text itself is always fixed. libpq's header stays in the .cpp files of
// this folder: callers see its handles only as the opaque types it declares.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct pg_conn;    // libpq's PGconn
struct pg_result;  // libpq's PGresult

namespace seerflow::store::pg {

// Parameters of one statement, in text format (bytea in binary). Values are copied.
class params {
 public:
  params& text(std::string_view v);
  params& text_or_null(std::string_view v) { return v.empty() ? null() : text(v); }
  params& int64(std::int64_t v);
  params& int64_or_null(std::int64_t v, bool present) { return present ? int64(v) : null(); }
  params& bytes(std::string_view v);  // bytea
  params& null();
  void clear();

  int size() const { return static_cast<int>(kinds_.size()); }
  // Pointers into the stored values, valid until the next change.
  void finish(std::vector<const char*>& values, std::vector<int>& lengths,
              std::vector<int>& formats) const;

 private:
  enum class kind : std::uint8_t { text, binary, null };
  std::vector<std::string> values_;
  std::vector<kind> kinds_;
};

class result {
 public:
  explicit result(pg_result* r = nullptr) : r_(r) {}
  ~result();
  result(const result&) = delete;
  result& operator=(const result&) = delete;
  result(result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  result& operator=(result&& o) noexcept;

  int rows() const;
  bool is_null(int row, int col) const;
  std::string_view text(int row, int col) const;
  std::string text_or_empty(int row, int col) const { return std::string(text(row, col)); }
  std::int64_t int64(int row, int col) const;
  // A bytea column in text format ("\x..."), decoded.
  std::string bytes(int row, int col) const;
  // Rows changed by an INSERT, UPDATE or DELETE.
  std::int64_t affected() const;

 private:
  pg_result* r_;
};

class connection {
 public:
  // Connects to a libpq URI (postgresql://user:password@host:port/db?...). A bad URI or an
  // unreachable server throws store_error naming the server (never the password).
  explicit connection(const std::string& url);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  // Fixed SQL, one or more statements, no data.
  void exec(const std::string& sql);
  result query(const std::string& sql, const params& p = {});
  // Prepares `sql` once under `name`; run() executes it.
  void prepare(const std::string& name, const std::string& sql);
  result run(const std::string& name, const params& p);
  // COPY ... FROM STDIN with `data` in COPY's text format.
  void copy_in(const std::string& copy_sql, std::string_view data);

  bool in_transaction() const;
  // Rolls back an open (or failed) transaction, ignoring errors.
  void rollback_quietly() noexcept;

  // The URL with its password replaced, for logs and messages.
  const std::string& location() const { return location_; }

 private:
  result check(pg_result* r, const std::string& what);
  void reconnect() noexcept;

  pg_conn* conn_ = nullptr;
  std::string location_;
  std::vector<std::pair<std::string, std::string>> prepared_;  // name, SQL: redone on reconnect
  std::vector<const char*> values_;
  std::vector<int> lengths_, formats_;
};

// The URL without its password: "postgresql://seer:***@127.0.0.1:5432/seerflow".
std::string redact_url(std::string_view url);

}  // namespace seerflow::store::pg
