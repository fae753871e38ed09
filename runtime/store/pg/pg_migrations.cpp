#include "runtime/store/pg/pg_migrations.hpp"

#include <array>
#include <string>

#include "runtime/store/store_error.hpp"
#include "runtime/util/clock.hpp"

namespace seerflow::store::pg {

namespace {

constexpr int pg_error = 1;

// Version 1: events and what they reference (see runtime/store/migrations.cpp for the
// columns' meaning; absent values are NULL here too).
constexpr std::string_view schema_v1 = R"sql(
CREATE SEQUENCE events_id_seq INCREMENT BY 4096 START WITH 1;
CREATE TABLE events(
  id            BIGINT PRIMARY KEY,
  source        TEXT,
  seq           BIGINT,
  time_ns       BIGINT NOT NULL,
  arrival_ns    BIGINT,
  time_from_log SMALLINT NOT NULL,
  facility      SMALLINT,
  severity      SMALLINT,
  host          TEXT,
  app           TEXT,
  procid        TEXT,
  msgid         TEXT,
  message       TEXT,
  template_id   BIGINT,
  params        TEXT,
  fields        TEXT,
  entity_keys   TEXT
);
CREATE INDEX events_time ON events(time_ns);
CREATE TABLE entities(
  entity_key    BIGINT PRIMARY KEY,
  uuid          TEXT NOT NULL,
  type          TEXT NOT NULL,
  value         TEXT NOT NULL,
  first_seen_ns BIGINT NOT NULL,
  last_seen_ns  BIGINT NOT NULL,
  event_count   BIGINT NOT NULL
);
CREATE INDEX entities_value ON entities(value);
CREATE TABLE event_entities(
  entity_key BIGINT NOT NULL,
  event_id   BIGINT NOT NULL,
  PRIMARY KEY(entity_key, event_id)
);
CREATE INDEX event_entities_event ON event_entities(event_id);
CREATE TABLE model_state(
  name        TEXT PRIMARY KEY,
  bytes       BYTEA NOT NULL,
  saved_at_ns BIGINT NOT NULL
);
CREATE TABLE store_meta(
  name  TEXT PRIMARY KEY,
  value BIGINT
);
INSERT INTO store_meta(name, value) VALUES('application_id', 1397048658);
CREATE TABLE templates(
  template_id   BIGINT PRIMARY KEY,
  source        TEXT,
  template      TEXT,
  first_seen_ns BIGINT NOT NULL,
  last_seen_ns  BIGINT NOT NULL,
  event_count   BIGINT NOT NULL
);
CREATE TABLE rejected(
  id         BIGSERIAL PRIMARY KEY,
  source     TEXT,
  reason     TEXT,
  detail     TEXT,
  data       BYTEA,
  arrival_ns BIGINT,
  peer       TEXT
);
CREATE INDEX rejected_reason ON rejected(reason);
CREATE INDEX rejected_arrival ON rejected(arrival_ns);
)sql";

constexpr std::string_view schema_v2 = R"sql(
CREATE TABLE alerts(
  id            TEXT PRIMARY KEY,
  kind          TEXT NOT NULL,
  severity      TEXT NOT NULL,
  rule          TEXT,
  title         TEXT,
  source        TEXT,
  time_ns       BIGINT NOT NULL,
  last_time_ns  BIGINT NOT NULL,
  dedup_key     TEXT,
  dedup_count   BIGINT NOT NULL DEFAULT 1,
  entities      TEXT,
  event_seqs    TEXT,
  details       TEXT,
  verdict       TEXT,
  stored_at_ns  BIGINT NOT NULL
);
CREATE INDEX alerts_time ON alerts(time_ns);
CREATE INDEX alerts_last_time ON alerts(last_time_ns);
CREATE INDEX alerts_rule ON alerts(rule);
CREATE TABLE alert_tactics(
  alert_id TEXT NOT NULL,
  tactic   TEXT NOT NULL,
  PRIMARY KEY(alert_id, tactic)
);
CREATE INDEX alert_tactics_tactic ON alert_tactics(tactic);
CREATE TABLE alert_techniques(
  alert_id  TEXT NOT NULL,
  technique TEXT NOT NULL,
  PRIMARY KEY(alert_id, technique)
);
CREATE INDEX alert_techniques_technique ON alert_techniques(technique);
)sql";

// Version 3: full-text search. The 'simple' configuration lowercases and splits words without
// stemming or stop words, like FTS5's default tokenizer.
constexpr std::string_view schema_v3 = R"sql(
ALTER TABLE events ADD COLUMN message_tsv tsvector
  GENERATED ALWAYS AS (to_tsvector('simple', coalesce(message, ''))) STORED;
CREATE INDEX events_fts ON events USING GIN(message_tsv);
)sql";

constexpr std::string_view schema_v4 = R"sql(
CREATE TABLE rule_state(
  rule           TEXT PRIMARY KEY,
  kind           TEXT NOT NULL,
  title          TEXT,
  enabled        SMALLINT NOT NULL DEFAULT 1,
  match_count    BIGINT NOT NULL DEFAULT 0,
  first_fired_ns BIGINT NOT NULL,
  last_fired_ns  BIGINT NOT NULL
);
CREATE INDEX entities_last_seen ON entities(last_seen_ns);
)sql";

constexpr std::string_view schema_v5 = R"sql(
CREATE TABLE pending_deliveries(
  id              BIGSERIAL PRIMARY KEY,
  sink            TEXT NOT NULL,
  alert_id        TEXT NOT NULL,
  action          TEXT NOT NULL,
  alert           TEXT NOT NULL,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_ns BIGINT NOT NULL,
  created_ns      BIGINT NOT NULL,
  last_error      TEXT,
  UNIQUE(sink, alert_id, action)
);
CREATE INDEX pending_deliveries_due ON pending_deliveries(sink, next_attempt_ns);
CREATE TABLE alert_deliveries(
  sink          TEXT NOT NULL,
  sink_type     TEXT NOT NULL,
  alert_id      TEXT NOT NULL,
  action        TEXT NOT NULL,
  status        TEXT NOT NULL,
  attempts      INTEGER NOT NULL,
  http_status   INTEGER,
  detail        TEXT,
  at_ns         BIGINT NOT NULL,
  PRIMARY KEY(sink, alert_id, action)
);
CREATE INDEX alert_deliveries_alert ON alert_deliveries(alert_id);
CREATE TABLE alert_verdicts(
  id        BIGSERIAL PRIMARY KEY,
  alert_id  TEXT NOT NULL,
  verdict   TEXT NOT NULL,
  note      TEXT,
  at_ns     BIGINT NOT NULL
);
CREATE INDEX alert_verdicts_alert ON alert_verdicts(alert_id);
)sql";

constexpr std::string_view schema_v6 = R"sql(
CREATE TABLE graph_edges(
  from_key      BIGINT NOT NULL,
  edge_type     TEXT   NOT NULL,
  to_key        BIGINT NOT NULL,
  from_type     TEXT   NOT NULL,
  from_value    TEXT   NOT NULL,
  to_type       TEXT   NOT NULL,
  to_value      TEXT   NOT NULL,
  first_seen_ns BIGINT NOT NULL,
  last_seen_ns  BIGINT NOT NULL,
  count         BIGINT NOT NULL,
  PRIMARY KEY(from_key, edge_type, to_key)
);
CREATE INDEX graph_edges_to ON graph_edges(to_key);
CREATE INDEX graph_edges_from_value ON graph_edges(from_value);
CREATE INDEX graph_edges_to_value ON graph_edges(to_value);
)sql";

// Same numbers and names as SQLite's list: `seerflow` reports one schema version per build.
// Version 7: in SQLite the full-text index moved to a file of its own; here the tsvector column
// and its GIN index stay where they are: nothing changes. The step keeps both backends at the
// same version, which readers and the backend test suite compare.
constexpr std::string_view schema_v7 = R"sql(
SELECT 1;
)sql";

// See runtime/store/migrations.cpp, version 8.
constexpr std::string_view schema_v8 = R"sql(
CREATE TABLE tail_offsets(
  tailer          TEXT   NOT NULL,
  dev             BIGINT NOT NULL,
  ino             BIGINT NOT NULL,
  fingerprint     BIGINT NOT NULL,
  fingerprint_len BIGINT NOT NULL,
  byte_offset     BIGINT NOT NULL,
  line            BIGINT NOT NULL,
  seq             BIGINT NOT NULL,
  PRIMARY KEY(tailer, dev, ino)
);
)sql";

// Version 9: actor snapshots, as in SQLite (runtime/store/migrations.cpp); here the cluster
// nodes read them (actors/directory_actor.hpp).
constexpr std::string_view schema_v9 = R"sql(
CREATE TABLE actor_snapshots(
  kind        TEXT   NOT NULL,
  key         BIGINT NOT NULL,
  node        TEXT   NOT NULL,
  saved_at_ns BIGINT NOT NULL,
  bytes       BYTEA  NOT NULL,
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
    {7, "full-text index in a file of its own (SQLite only)", schema_v7},
    {8, "file tail offsets committed with the events", schema_v8},
    {9, "entity and template actor snapshots", schema_v9},
}};

constexpr const char* bootstrap_sql = R"sql(
CREATE TABLE IF NOT EXISTS schema_migrations(
  version       INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  applied_at_ns BIGINT NOT NULL
))sql";

// Any number, the same for every seerflow: nodes migrating one database take turns.
constexpr const char* migration_lock = "SELECT pg_advisory_xact_lock(1397048658)";

}  // namespace

std::span<const migration> pg_schema_migrations() {
  return all_migrations;
}

int check_schema(connection& c) {
  const std::string where = "database " + c.location();
  const auto has_migrations =
      c.query("SELECT to_regclass('schema_migrations') IS NOT NULL").text(0, 0) == "t";
  const auto not_ours = [&] {
    return store_error(pg_error, where +
                                     " is not a seerflow database (its tables belong to another "
                                     "application); use another database in "
                                     "storage.postgresql.url");
  };
  if (!has_migrations) {
    // Empty: ours to create. Tables of someone else: refused, migration 1 would litter them.
    const auto others =
        c.query("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema()");
    if (others.int64(0, 0) > 0) throw not_ours();
    return 0;
  }
  const int version = static_cast<int>(
      c.query("SELECT coalesce(max(version), 0) FROM schema_migrations").int64(0, 0));
  const int latest = all_migrations.back().version;
  if (version > latest)
    throw store_error(pg_error, where + " has schema version " + std::to_string(version) +
                                    ", newer than this build of seerflow supports (" +
                                    std::to_string(latest) +
                                    "); use a newer seerflow or another database");
  if (version > 0 &&
      c.query("SELECT count(*) FROM store_meta WHERE name = 'application_id' AND value = "
              "1397048658")
              .int64(0, 0) != 1)
    throw not_ours();
  return version;
}

int migrate(connection& c) {
  int version = check_schema(c);
  for (const auto& m : all_migrations) {
    if (m.version <= version) continue;
    bool applying = false;
    try {
      c.exec("BEGIN");
      c.exec(migration_lock);
      // Another node may have migrated while we waited for the lock.
      version = check_schema(c);
      if (m.version <= version) {
        c.exec("COMMIT");
        continue;
      }
      applying = true;
      c.exec(bootstrap_sql);
      c.exec(std::string(m.sql));
      c.query("INSERT INTO schema_migrations(version, name, applied_at_ns) VALUES($1, $2, $3)",
              params().int64(m.version).text(m.name).int64(util::wall_now_ns()));
      c.exec("COMMIT");
      version = m.version;
    } catch (const store_error& e) {
      c.rollback_quietly();
      if (!applying) throw;
      throw store_error(e.code(), "migration " + std::to_string(m.version) + " (" +
                                      std::string(m.name) + ") of " + c.location() +
                                      " failed: " + e.what());
    }
  }
  return version;
}

}  // namespace seerflow::store::pg
