#include "runtime/store/pg/pg_connection.hpp"

#include <libpq-fe.h>

#include "runtime/store/store_error.hpp"

namespace seerflow::store::pg {

namespace {

// store_error's code for PostgreSQL failures: SQLITE_ERROR's value, a generic error.
constexpr int pg_error = 1;

std::string trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string redact_url(std::string_view url) {
  // scheme://user:password@host...: the password is what lies between the first ':' after
  // the scheme and the last '@' of the authority.
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) return std::string(url);
  const auto auth_begin = scheme + 3;
  auto auth_end = url.find_first_of("/?", auth_begin);
  if (auth_end == std::string_view::npos) auth_end = url.size();
  const auto at = url.rfind('@', auth_end);
  if (at == std::string_view::npos || at < auth_begin) return std::string(url);
  const auto colon = url.find(':', auth_begin);
  if (colon == std::string_view::npos || colon > at) return std::string(url);
  return std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
}

params& params::text(std::string_view v) {
  values_.emplace_back(v);
  kinds_.push_back(kind::text);
  return *this;
}

params& params::int64(std::int64_t v) {
  values_.push_back(std::to_string(v));
  kinds_.push_back(kind::text);
  return *this;
}

params& params::bytes(std::string_view v) {
  values_.emplace_back(v);
  kinds_.push_back(kind::binary);
  return *this;
}

params& params::null() {
  values_.emplace_back();
  kinds_.push_back(kind::null);
  return *this;
}

void params::clear() {
  values_.clear();
  kinds_.clear();
}

void params::finish(std::vector<const char*>& values, std::vector<int>& lengths,
                    std::vector<int>& formats) const {
  values.resize(kinds_.size());
  lengths.resize(kinds_.size());
  formats.resize(kinds_.size());
  for (std::size_t i = 0; i < kinds_.size(); ++i) {
    values[i] = kinds_[i] == kind::null ? nullptr : values_[i].c_str();
    lengths[i] = static_cast<int>(values_[i].size());
    formats[i] = kinds_[i] == kind::binary ? 1 : 0;
  }
}

result::~result() {
  if (r_) PQclear(r_);
}

result& result::operator=(result&& o) noexcept {
  if (this != &o) {
    if (r_) PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}

int result::rows() const {
  return r_ ? PQntuples(r_) : 0;
}

bool result::is_null(int row, int col) const {
  return PQgetisnull(r_, row, col) != 0;
}

std::string_view result::text(int row, int col) const {
  if (is_null(row, col)) return {};
  return std::string_view(PQgetvalue(r_, row, col),
                          static_cast<std::size_t>(PQgetlength(r_, row, col)));
}

std::int64_t result::int64(int row, int col) const {
  if (is_null(row, col)) return 0;
  return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10);
}

std::string result::bytes(int row, int col) const {
  if (is_null(row, col)) return {};
  std::size_t n = 0;
  unsigned char* p =
      PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(r_, row, col)), &n);
  if (!p) throw store_error(pg_error, "cannot decode a bytea value");
  std::string out(reinterpret_cast<const char*>(p), n);
  PQfreemem(p);
  return out;
}

std::int64_t result::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : nullptr;
  return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

connection::connection(const std::string& url) : location_(redact_url(url)) {
  if (url.empty()) throw store_error(pg_error, "storage.postgresql.url is empty");
  // Parse first: a malformed URI gets libpq's own explanation, before any network traffic.
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (!opts) {
    const std::string why = trimmed(err);
    if (err) PQfreemem(err);
    throw store_error(pg_error,
                      "storage.postgresql.url " + location_ + " is not a valid libpq URI: " + why);
  }
  PQconninfoFree(opts);
  conn_ = PQconnectdb(url.c_str());
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    const std::string why = conn_ ? trimmed(PQerrorMessage(conn_)) : "out of memory";
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    throw store_error(pg_error, "cannot connect to PostgreSQL at " + location_ + ": " + why);
  }
  // Quiet: NOTICEs (an IF NOT EXISTS that found the table) are not for the user.
  PQsetNoticeProcessor(
      conn_, [](void*, const char*) {}, nullptr);
  exec("SET client_encoding = 'UTF8'; SET client_min_messages = warning");
}

connection::~connection() {
  if (conn_) PQfinish(conn_);
}

result connection::check(pg_result* r, const std::string& what) {
  result out(r);
  const auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) return out;
  std::string msg = r ? trimmed(PQresultErrorMessage(r)) : trimmed(PQerrorMessage(conn_));
  if (msg.empty()) msg = trimmed(PQerrorMessage(conn_));
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  if (state) msg += std::string(" (SQLSTATE ") + state + ")";
  if (PQstatus(conn_) == CONNECTION_BAD) reconnect();
  throw store_error(pg_error, "PostgreSQL " + what + " failed: " + msg);
}

// The server went away (restarted, or our session was terminated): reconnect once for the next
// call, so a restart costs one failed write (which the store actor retries), not the store.
// Session state is gone with the old session: settings and prepared statements are redone.
void connection::reconnect() noexcept {
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) return;  // still down: the next call tries again
  if (PGresult* r =
          PQexec(conn_, "SET client_encoding = 'UTF8'; SET client_min_messages = warning"))
    PQclear(r);
  for (const auto& [name, sql] : prepared_)
    if (PGresult* r = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr)) PQclear(r);
}

void connection::exec(const std::string& sql) {
  check(PQexec(conn_, sql.c_str()), "statement");
}

result connection::query(const std::string& sql, const params& p) {
  p.finish(values_, lengths_, formats_);
  return check(PQexecParams(conn_, sql.c_str(), p.size(), nullptr, values_.data(), lengths_.data(),
                            formats_.data(), 0),
               "query");
}

void connection::prepare(const std::string& name, const std::string& sql) {
  check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), "prepare of " + name);
  prepared_.emplace_back(name, sql);
}

result connection::run(const std::string& name, const params& p) {
  p.finish(values_, lengths_, formats_);
  return check(PQexecPrepared(conn_, name.c_str(), p.size(), values_.data(), lengths_.data(),
                              formats_.data(), 0),
               name);
}

void connection::copy_in(const std::string& copy_sql, std::string_view data) {
  check(PQexec(conn_, copy_sql.c_str()), "COPY");
  // Sent in pieces: libpq buffers each call, and a huge single call would double the memory.
  constexpr std::size_t piece = 1 << 20;
  for (std::size_t off = 0; off < data.size(); off += piece) {
    const auto n = std::min(piece, data.size() - off);
    if (PQputCopyData(conn_, data.data() + off, static_cast<int>(n)) != 1) {
      PQputCopyEnd(conn_, "client error");
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
      throw store_error(pg_error, "PostgreSQL COPY failed: " + trimmed(PQerrorMessage(conn_)));
    }
  }
  if (PQputCopyEnd(conn_, nullptr) != 1)
    throw store_error(pg_error, "PostgreSQL COPY failed: " + trimmed(PQerrorMessage(conn_)));
  std::string msg;
  while (PGresult* r = PQgetResult(conn_)) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && msg.empty())
      msg = trimmed(PQresultErrorMessage(r));
    PQclear(r);
  }
  if (!msg.empty()) throw store_error(pg_error, "PostgreSQL COPY failed: " + msg);
}

bool connection::in_transaction() const {
  const auto s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

void connection::rollback_quietly() noexcept {
  if (!conn_ || !in_transaction()) return;
  if (PGresult* r = PQexec(conn_, "ROLLBACK")) PQclear(r);
}

}  // namespace seerflow::store::pg
