#pragma once
// The PostgreSQL schema: the same forward-only migrations, numbered as SQLite's
// (runtime/store/migrations.cpp), with the same tables and columns where the two engines
// allow it. Differences, and why:
//   - full-text search is a generated tsvector column with a GIN index (SQLite: FTS5), always
//     current, so there is no "not yet indexed" tail;
//   - entity links are plain rows of event_entities (SQLite folds them into posting lists,
//     which PostgreSQL does not need: COPY writes the links in bulk);
//   - event ids come from a sequence in blocks, so several nodes can write one database.
// Each migration runs in its own transaction under an advisory lock (two nodes starting at
// once take turns) and is recorded in schema_migrations; a database newer than this build, or
// one with tables that are not ours, is refused.
#include <span>

#include "runtime/store/migrations.hpp"
#include "runtime/store/pg/pg_connection.hpp"

namespace seerflow::store::pg {

std::span<const migration> pg_schema_migrations();

// The database's version (0: empty). Throws store_error for a newer or foreign database.
int check_schema(connection& c);
// Brings the database to the newest version; returns it.
int migrate(connection& c);

}  // namespace seerflow::store::pg
