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

// Version 4: retention and Sigma rule state. Retention deletes the oldest events and then the
// posting rows whose every event is gone: the index on last_event_id finds those without a scan.
// rule_state is kept by the store from the rule and correlation alerts it writes: a rule that
// never fired has no row. The full-text index is rebuilt without its per-row size table
// (columnsize=0): nothing ranks by bm25, and that table cost a B-tree insert per event (measured
// about a quarter of the indexing time). (Merging 16 segments at a time instead of 4 measured a
// fifth less indexing work, but deleted rows then linger in the index longer, and a size cap
// could not hold.) The store re-fills it in the background; searches cover not yet indexed
// events by substring meanwhile.
constexpr std::string_view schema_v4 = R"sql(
DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5(message, content='events', content_rowid='id',
                                           columnsize=0);
UPDATE store_meta SET value = 0 WHERE name = 'text_indexed_through_event_id';
CREATE INDEX entity_postings_last ON entity_postings(last_event_id);
CREATE TABLE rule_state(
  rule           TEXT PRIMARY KEY,    -- Sigma rule or correlation id
  kind           TEXT NOT NULL,       -- sigma or correlation
  title          TEXT,                -- latest title seen
  enabled        INTEGER NOT NULL DEFAULT 1,
  match_count    INTEGER NOT NULL DEFAULT 0,  -- alerts raised, repeats inside dedup included
  first_fired_ns INTEGER NOT NULL,    -- event time of the first alert
  last_fired_ns  INTEGER NOT NULL     -- event time of the latest alert
) WITHOUT ROWID;
)sql";

// Version 5: alert delivery and feedback. pending_deliveries is the queue of record of every
// sink: a row is written before the first attempt and deleted once the endpoint accepted it,
// so alerts undelivered when the agent stops (or is killed) are sent after the next start.
// alert_deliveries keeps the outcome per sink, alert and action (the feedback command looks
// up which PagerDuty sinks got an alert to resolve it); alert_verdicts every verdict given.
constexpr std::string_view schema_v5 = R"sql(
CREATE TABLE pending_deliveries(
  id              INTEGER PRIMARY KEY,
  sink            TEXT NOT NULL,      -- alerts.sinks[].name
  alert_id        TEXT NOT NULL,
  action          TEXT NOT NULL,      -- trigger, resolve
  alert           TEXT NOT NULL,      -- the alert as JSON (runtime/notify/alert_json.hpp)
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_ns INTEGER NOT NULL,   -- wall clock
  created_ns      INTEGER NOT NULL,
  last_error      TEXT,
  UNIQUE(sink, alert_id, action)
);
CREATE INDEX pending_deliveries_due ON pending_deliveries(sink, next_attempt_ns);
CREATE TABLE alert_deliveries(
  sink          TEXT NOT NULL,
  sink_type     TEXT NOT NULL,        -- slack, teams, webhook, pagerduty
  alert_id      TEXT NOT NULL,
  action        TEXT NOT NULL,
  status        TEXT NOT NULL,        -- delivered, failed
  attempts      INTEGER NOT NULL,
  http_status   INTEGER,              -- of the last attempt; NULL for a transport error
  detail        TEXT,
  at_ns         INTEGER NOT NULL,
  PRIMARY KEY(sink, alert_id, action)
) WITHOUT ROWID;
CREATE INDEX alert_deliveries_alert ON alert_deliveries(alert_id);
CREATE TABLE alert_verdicts(
  id        INTEGER PRIMARY KEY,
  alert_id  TEXT NOT NULL,
  verdict   TEXT NOT NULL,            -- tp, fp
  note      TEXT,
  at_ns     INTEGER NOT NULL
);
CREATE INDEX alert_verdicts_alert ON alert_verdicts(alert_id);
)sql";

// Version 6: the entity graph's typed relations, written by the graph actor on each run (only
// the edges that changed, their counts as increments), so `seerflow query graph` reads them
// without the agent. Keyed by the entities' keys (as in `entities`) and the relation type;
// the values are kept beside them so the table reads on its own. Edges the graph evicted stay.
constexpr std::string_view schema_v6 = R"sql(
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

// Version 7: the full-text index moves to a file of its own, written by its own thread in
// parallel with the store's writer (runtime/store/text_index.hpp); it is rebuilt there from the
// events. store_uid ties that file to this database: an index made for another file is rebuilt.
constexpr std::string_view schema_v7 = R"sql(
DROP TABLE IF EXISTS events_fts;
DELETE FROM store_meta WHERE name = 'text_indexed_through_event_id';
INSERT INTO store_meta(name, value) VALUES('store_uid', lower(hex(randomblob(16))));
)sql";

// Version 8: where each file tailer had read to, written in the same transaction as the events
// of the batch that read it (runtime/model/tail_offsets.hpp), so that after a crash the tailer
// resumes after the last committed batch even when its checkpoint file is older. One row per
// tailer ("<node>/<receiver>") and file (device, inode; the fingerprint tells a recycled inode);
// seq is the batch's number. Rows the checkpoint file has caught up with are deleted, so the
// table holds only the files read since the tailer's last checkpoint.
constexpr std::string_view schema_v8 = R"sql(
CREATE TABLE tail_offsets(
  tailer          TEXT    NOT NULL,
  dev             INTEGER NOT NULL,   -- the uint64 values are stored with the same bits
  ino             INTEGER NOT NULL,
  fingerprint     INTEGER NOT NULL,
  fingerprint_len INTEGER NOT NULL,
  byte_offset     INTEGER NOT NULL,   -- records ending here or before are stored
  line            INTEGER NOT NULL,   -- lines before byte_offset
  seq             INTEGER NOT NULL,   -- the batch, increasing per tailer across restarts
  PRIMARY KEY(tailer, dev, ino)
) WITHOUT ROWID;
)sql";

// Version 9: snapshots of entity and template actors, one row per id, written by the cluster
// node that owns the id (periodically and on passivation), so that when a node dies the
// survivors take its ids over with their state. A SQLite file is one node's own, so a cluster
// on SQLite does not write them (actors/directory_actor.hpp); the table is here so that both
// backends keep one schema version.
constexpr std::string_view schema_v9 = R"sql(
CREATE TABLE actor_snapshots(
  kind        TEXT    NOT NULL,   -- entity or template
  key         INTEGER NOT NULL,   -- entity key or template id
  node        TEXT    NOT NULL,   -- cluster.node_id of the writer
  saved_at_ns INTEGER NOT NULL,   -- wall clock
  bytes       BLOB    NOT NULL,
  PRIMARY KEY(kind, key)
);
CREATE INDEX actor_snapshots_node ON actor_snapshots(node);
CREATE INDEX actor_snapshots_saved ON actor_snapshots(saved_at_ns);
)sql";

constexpr std::array<migration, 9> all_migrations{{
    {1, "events, entities, templates, rejected", schema_v1},
    {2, "alerts with ATT&CK tactics and techniques", schema_v2},
    {3, "full-text index of event messages", schema_v3},
    {4, "retention index of postings, Sigma rule state", schema_v4},
    {5, "alert delivery queue, outcomes and verdicts", schema_v5},
    {6, "entity graph edges", schema_v6},
    {7, "full-text index in a file of its own", schema_v7},
    {8, "file tail offsets committed with the events", schema_v8},
    {9, "entity and template actor snapshots", schema_v9},
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
