#include "runtime/backend/open_store.hpp"

#include <filesystem>

#include "runtime/query/sqlite_reader.hpp"
#include "runtime/store/event_store.hpp"
#include "runtime/store/migrations.hpp"
#include "runtime/store/pg/pg_connection.hpp"
#include "runtime/store/pg/pg_event_store.hpp"
#include "runtime/store/pg/pg_reader.hpp"
#include "runtime/store/store_error.hpp"
#include "runtime/store/text_index.hpp"

namespace seerflow::backend {

std::unique_ptr<store::event_writer> open_writer(const config::storage_settings& s) {
  if (s.backend == "postgresql")
    return std::make_unique<store::pg::pg_event_store>(store::pg::pg_options{s.postgresql_url});
  std::filesystem::path path(s.path);
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  store::store_options opts;
  opts.path = s.path;
  opts.synchronous = s.synchronous;
  opts.text.background = true;  // the index follows the commits on a thread of its own
  return std::make_unique<store::event_store>(opts);
}

std::unique_ptr<query::store_reader> open_reader(const config::storage_settings& s, access mode) {
  if (s.backend == "postgresql") return std::make_unique<store::pg::pg_reader>(s.postgresql_url);
  if (!std::filesystem::exists(s.path)) return nullptr;
  const int flags = mode == access::read_only ? SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
                                              : SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  store::sqlite_db db(s.path, flags, mode == access::read_only ? 5000 : 10000);
  store::check_schema(db);
  if (db.query_int64("PRAGMA user_version") < store::latest_schema_version())
    throw store::store_error(SQLITE_ERROR, "the store at " + s.path +
                                               " has an older schema; start seerflow once to "
                                               "migrate it");
  store::attach_text_index(db);
  return std::make_unique<query::sqlite_reader>(std::move(db));
}

std::string describe(const config::storage_settings& s) {
  return s.backend == "postgresql" ? store::pg::redact_url(s.postgresql_url) : s.path;
}

}  // namespace seerflow::backend
