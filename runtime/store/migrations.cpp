#include "runtime/store/migrations.hpp"

#include <array>
#include <string>

#include "runtime/store/store_error.hpp"
#include "runtime/util/clock.hpp"

namespace seerflow::store {

namespace {

// Version 1: events and what they reference. Absent values are NULL (never "" or -1), so
// `WHERE host IS NULL` and aggregates mean what they say. Ids that are uint64 in the model
// (template_id, entity_key) are stored as the signed 64-bit integer with the same bits.
//
// Entity links are written twice, for speed: each event row carries its entity keys at
// commit (append-only, nearly free), and every few seconds the store folds the new links into
// entity_postings, one row per entity per fold with its event ids (see event_store.hpp for
// why one row per link could not keep up). The event_entities view joins both, so it answers
// "events of entity K" for everything committed; "entities of event E" reads events.entity_keys.
constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE events(
  id            INTEGER PRIMARY KEY,  -- assigned by the store, increasing
  source        TEXT,                 -- configured source name
  seq           INTEGER,              -- position in the source's input, from 1
  time_ns       INTEGER NOT NULL,     -- event time, ns since the Unix epoch, UTC
  arrival_ns    INTEGER,              -- when the receiver got it
  time_from_log INTEGER NOT NULL,     -- 1: time_ns was read from the record; 0: fallback
  facility      INTEGER,              -- syslog facility 0..23
  severity      INTEGER,              -- syslog severity 0..7
  host          TEXT,
  app           TEXT,
  procid        TEXT,
  msgid         TEXT,
  message       TEXT,
  template_id   INTEGER,              -- templates.template_id
  params        TEXT,                 -- JSON array of the template's parameters
  fields        TEXT,                 -- JSON object of the record's named values
  entity_keys   TEXT                  -- JSON array of entities.entity_key, distinct
);
CREATE INDEX events_time ON events(time_ns);

CREATE TABLE entities(
  entity_key    INTEGER PRIMARY KEY,  -- leading 8 bytes of the UUID, big-endian
  uuid          TEXT NOT NULL,        -- UUID5, canonical 8-4-4-4-12 lower-case form
  type          TEXT NOT NULL,        -- ip, user, host, file, domain, process
  value         TEXT NOT NULL,        -- canonical value
  first_seen_ns INTEGER NOT NULL,     -- event time
  last_seen_ns  INTEGER NOT NULL,
  event_count   INTEGER NOT NULL      -- events folded so far (see store_meta)
);
CREATE INDEX entities_value ON entities(value);

-- Entities first seen since the last fold, appended in arrival order. New entities arrive in
-- random key order; inserting them into `entities` at every commit dirtied a page per entity
-- (measured: 12 MB of WAL per 4096-event commit with 100k entities). Appending here touches
-- only the table's end; the fold moves them into `entities` in key order, once per fold.
CREATE TABLE entity_journal(
  id            INTEGER PRIMARY KEY,
  entity_key    INTEGER NOT NULL,
  uuid          TEXT NOT NULL,
  type          TEXT NOT NULL,
  value         TEXT NOT NULL,
  first_seen_ns INTEGER NOT NULL,
  last_seen_ns  INTEGER NOT NULL
);

-- Every entity known, folded or not (counts of unfolded ones are 0 until the next fold).
CREATE VIEW entities_all(entity_key, uuid, type, value, first_seen_ns, last_seen_ns,
                         event_count) AS
  SELECT entity_key, uuid, type, value, first_seen_ns, last_seen_ns, event_count FROM entities
  UNION ALL
  SELECT j.entity_key, j.uuid, j.type, j.value, min(j.first_seen_ns), max(j.last_seen_ns), 0
    FROM entity_journal AS j
   WHERE j.entity_key NOT IN (SELECT entity_key FROM entities)
   GROUP BY j.entity_key;

-- The events of each entity, in chunks of increasing event ids: a JSON array per row of at
-- most ~900 bytes. (A rowid table: WITHOUT ROWID would copy such rows into its interior pages.)
CREATE TABLE entity_postings(
  id             INTEGER PRIMARY KEY,
  entity_key     INTEGER NOT NULL,
  first_event_id INTEGER NOT NULL,
  last_event_id  INTEGER NOT NULL,
  event_ids      TEXT NOT NULL
);
CREATE UNIQUE INDEX entity_postings_key ON entity_postings(entity_key, first_event_id);

-- Model state that must survive a restart (the template miner of each source, and later the
-- detectors): one opaque versioned blob per name, replaced as a whole.
CREATE TABLE model_state(
  name        TEXT PRIMARY KEY,
  bytes       BLOB NOT NULL,
  saved_at_ns INTEGER NOT NULL
) WITHOUT ROWID;

-- The store's own bookkeeping. folded_through_event_id: links of events up to this id are in
-- entity_postings and entities' counts; later ones only in events.entity_keys.
CREATE TABLE store_meta(
  name  TEXT PRIMARY KEY,
  value
) WITHOUT ROWID;
INSERT INTO store_meta(name, value) VALUES('folded_through_event_id', 0);

CREATE VIEW event_entities(entity_key, event_id) AS
  SELECT p.entity_key, j.value FROM entity_postings AS p, json_each(p.event_ids) AS j
  UNION ALL
  SELECT j.value, e.id FROM events AS e, json_each(e.entity_keys) AS j
   WHERE e.id > (SELECT value FROM store_meta WHERE name = 'folded_through_event_id');

CREATE TABLE templates(
  template_id   INTEGER PRIMARY KEY,
  source        TEXT,                 -- source of the first event seen with it
  template      TEXT,                 -- latest text (a template generalises as it learns)
  first_seen_ns INTEGER NOT NULL,
  last_seen_ns  INTEGER NOT NULL,
  event_count   INTEGER NOT NULL
);

CREATE TABLE rejected(
  id         INTEGER PRIMARY KEY,
  source     TEXT,
  reason     TEXT,                    -- short stable identifier: bad_pri, oversized, ...
  detail     TEXT,
  data       BLOB,                    -- the offending bytes (a bounded prefix)
  arrival_ns INTEGER,
  peer       TEXT
);
CREATE INDEX rejected_reason ON rejected(reason);
)sql";

// Version 2: alerts of every kind, with their ATT&CK tactics and techniques in tables of their
// own so that "alerts for tactic X" is an index lookup. A repeat of an alert (same id) inside
// its dedup window increments dedup_count and moves last_time_ns; it is not a new row.
constexpr std::string_view schema_v2 = R"sql(
CREATE TABLE alerts(
  id            TEXT PRIMARY KEY,     -- deterministic: kind, rule, entity and time
  kind          TEXT NOT NULL,        -- anomaly, sigma, correlation, risk, kill_chain, graph
  severity      TEXT NOT NULL,        -- low, medium, high, critical
  rule          TEXT,                 -- rule id or detector name
  title         TEXT,
  source        TEXT,
  time_ns       INTEGER NOT NULL,     -- event time of the triggering event
  last_time_ns  INTEGER NOT NULL,     -- event time of the latest repeat
  dedup_key     TEXT,
  dedup_count   INTEGER NOT NULL DEFAULT 1,
  entities      TEXT,                 -- JSON array of {"type","value","id"}
  event_seqs    TEXT,                 -- JSON array of the contributing events' seq
  details       TEXT,                 -- JSON object, detector-specific
  verdict       TEXT,                 -- an analyst's verdict, NULL until given
  stored_at_ns  INTEGER NOT NULL
);
CREATE INDEX alerts_time ON alerts(time_ns);
CREATE INDEX alerts_rule ON alerts(rule);
CREATE TABLE alert_tactics(
  alert_id TEXT NOT NULL,
  tactic   TEXT NOT NULL,
  PRIMARY KEY(alert_id, tactic)
) WITHOUT ROWID;
CREATE INDEX alert_tactics_tactic ON alert_tactics(tactic);
CREATE TABLE alert_techniques(
  alert_id  TEXT NOT NULL,
  technique TEXT NOT NULL,
  PRIMARY KEY(alert_id, technique)
) WITHOUT ROWID;
CREATE INDEX alert_techniques_technique ON alert_techniques(technique);
)sql";

// Version 3: full-text search over event messages. The index is external-content (the text
// lives once, in events) and is filled behind the writes, in chunks, by the store's idle
// maintenance (event_store::index_text): indexing inline would halve ingest. Events after
// text_indexed_through_event_id are not in it yet; queries search those by substring.
constexpr std::string_view schema_v3 = R"sql(
CREATE VIRTUAL TABLE events_fts USING fts5(message, content='events', content_rowid='id');
INSERT INTO store_meta(name, value) VALUES('text_indexed_through_event_id', 0);
)sql";

// Version 4: the entity graph's typed relations, written by the graph actor on each run (only
// the edges that changed, their counts as increments), so `seerflow query graph` reads them
// without the agent. Keyed by the entities' keys (as in `entities`) and the relation type;
// the values are kept beside them so the table reads on its own. Edges the graph evicted stay.
constexpr std::string_view schema_v4 = R"sql(
CREATE TABLE graph_edges(
  from_key      INTEGER NOT NULL,
  edge_type     TEXT    NOT NULL,   -- authenticated_from, logged_into, has_ip, accessed, ...
  to_key        INTEGER NOT NULL,
  from_type     TEXT    NOT NULL,
  from_value    TEXT    NOT NULL,
  to_type       TEXT    NOT NULL,
  to_value      TEXT    NOT NULL,
  first_seen_ns INTEGER NOT NULL,   -- event time
  last_seen_ns  INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  PRIMARY KEY(from_key, edge_type, to_key)
) WITHOUT ROWID;
CREATE INDEX graph_edges_to ON graph_edges(to_key);
CREATE INDEX graph_edges_from_value ON graph_edges(from_value);
CREATE INDEX graph_edges_to_value ON graph_edges(to_value);
)sql";

constexpr std::array<migration, 4> all_migrations{{
    {1, "events, entities, templates, rejected", schema_v1},
    {2, "alerts with ATT&CK tactics and techniques", schema_v2},
    {3, "full-text index of event messages", schema_v3},
    {4, "entity graph edges", schema_v4},
}};

constexpr std::string_view bootstrap_sql = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations(
  version       INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  applied_at_ns INTEGER NOT NULL
))sql";

int user_version(const sqlite_db& db) {
  return static_cast<int>(db.query_int64("PRAGMA user_version"));
}

void rollback_quietly(sqlite_db& db) noexcept {
  if (!db.in_transaction()) return;
  sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace

std::span<const migration> schema_migrations() {
  return all_migrations;
}

int latest_schema_version() {
  return all_migrations.back().version;
}

int check_schema(const sqlite_db& db) {
  const int version = user_version(db);
  const int latest = latest_schema_version();
  const auto not_ours = [&] {
    return store_error(SQLITE_ERROR, "database " + db.path() +
                                         " is not a seerflow database (it belongs to another "
                                         "application); use another storage.path");
  };
  const auto app = db.query_int64("PRAGMA application_id");
  if (app != 0 && app != application_id) throw not_ours();
  if (version > latest)
    throw store_error(SQLITE_ERROR, "database " + db.path() + " has schema version " +
                                        std::to_string(version) +
                                        ", newer than this build of seerflow supports (" +
                                        std::to_string(latest) +
                                        "); use a newer seerflow or another storage.path");
  // Migration 1 stamps our application id, so a versioned database without it is not ours;
  // nor is an unversioned one with tables in it, which migration 1 would litter.
  if (version < 0 || (version > 0 && app == 0)) throw not_ours();
  if (version == 0 && db.query_int64("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE "
                                     "'sqlite_%' AND name <> 'schema_migrations'") > 0)
    throw not_ours();
  return version;
}

int migrate(sqlite_db& db) {
  int version = check_schema(db);
  for (const auto& m : all_migrations) {
    if (m.version <= version) continue;
    bool applying = false;
    try {
      db.exec("BEGIN IMMEDIATE");
      // Another process may have migrated while we waited for the write lock.
      version = check_schema(db);
      if (m.version <= version) {
        db.exec("COMMIT");
        continue;
      }
      if (m.version != version + 1)
        throw store_error(SQLITE_ERROR, "database " + db.path() + " is at schema version " +
                                            std::to_string(version) +
                                            " but the next migration is " +
                                            std::to_string(m.version));
      applying = true;
      db.exec(std::string(bootstrap_sql));
      db.exec(std::string(m.sql));
      auto record = db.prepare(
          "INSERT INTO schema_migrations(version, name, applied_at_ns) VALUES(?1, ?2, ?3)", false);
      record.bind_int64(1, m.version);
      record.bind_text(2, m.name);
      record.bind_int64(3, util::wall_now_ns());
      record.run();
      // PRAGMA values cannot be bound; both numbers come from this build, not from data.
      db.exec("PRAGMA user_version = " + std::to_string(m.version));
      db.exec("PRAGMA application_id = " + std::to_string(application_id));
      db.exec("COMMIT");
      version = m.version;
    } catch (const store_error& e) {
      rollback_quietly(db);
      if (!applying) throw;
      throw store_error(e.code(), "migration " + std::to_string(m.version) + " (" +
                                      std::string(m.name) + ") of " + db.path() +
                                      " failed: " + e.what());
    }
  }
  return version;
}

}  // namespace seerflow::store
