#pragma once
// The one exception the store throws: a SQLite failure (or a refused database) with its
// result code, so the caller can tell a full disk (SQLITE_FULL) from a busy lock or a bug.
#include <stdexcept>
#include <string>

namespace seerflow::store {

class store_error : public std::runtime_error {
 public:
  store_error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}

  // The SQLite result code, extended where SQLite reported one (SQLITE_IOERR_WRITE, ...).
  int code() const noexcept { return code_; }
  // The primary result code (SQLITE_FULL, SQLITE_BUSY, SQLITE_CONSTRAINT, ...).
  int primary_code() const noexcept { return code_ & 0xff; }

 private:
  int code_;
};

}  // namespace seerflow::store
