#pragma once
// The schema as an ordered list of forward-only migrations. Each one runs in its own
// transaction and is recorded in schema_migrations and PRAGMA user_version, so a database
// always sits at exactly one known version; a newer database is refused, never downgraded.
#include <span>
#include <string_view>

#include "runtime/store/sqlite_db.hpp"

namespace seerflow::store {

struct migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// Every migration this build knows, by increasing version (1, 2, ... without gaps).
std::span<const migration> schema_migrations();

// The newest schema version this build knows.
int latest_schema_version();

// PRAGMA application_id of a seerflow database ("SEER"): tells our files from other programs'.
inline constexpr int application_id = 0x53454552;

// Throws store_error unless `db` is one this build can use: an empty database, or a seerflow
// database at a version it knows. Returns the database's current version.
int check_schema(const sqlite_db& db);

// Brings `db` up to the newest version and returns it. Safe to call on every open and from
// two processes at once: each migration re-checks the version inside its write transaction.
int migrate(sqlite_db& db);

}  // namespace seerflow::store
