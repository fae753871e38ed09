#include "runtime/store/event_store.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <utility>

#include "runtime/store/json_text.hpp"
#include "runtime/store/migrations.hpp"
#include "runtime/store/store_error.hpp"
#include "runtime/util/clock.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::store {

namespace {

// Tuning, measured with bench/store/ingest.cpp (2M events, 10k and 1M entities):
// - WAL checkpoints every 8192 pages (32 MiB) instead of SQLite's 1000: commits cost ~25% less
//   CPU; 32768 measured no better;
// - 16 MiB of page cache: 2, 64 and 256 MiB were within noise with 10k entities, 2 MiB made
//   commits ~15% dearer with 1M (the OS page cache serves the rest);
// - after a checkpoint the WAL file is cut back to 64 MiB (once no reader pins it), so a burst
//   does not leave a huge file behind.
constexpr const char* tuning_pragmas =
    "PRAGMA cache_size = -16384;"
    "PRAGMA temp_store = MEMORY;"
    "PRAGMA wal_autocheckpoint = 8192;"
    "PRAGMA journal_size_limit = 67108864;";

// A posting row's JSON stays under this many bytes, so that the row fits on its B-tree page
// (an index page holds up to ~1000 bytes of a row before spilling to overflow pages).
constexpr std::size_t posting_bytes = 900;

// What the store remembers about entities is bounded: past these sizes it is dropped and
// relearned (an INSERT ... DO NOTHING, a posting lookup). ~32 MiB each at the limit.
constexpr std::size_t max_known_entities = 1 << 21;
constexpr std::size_t max_posting_tails = 1 << 20;

// PRAGMA values cannot be bound, so the configured word selects one of these fixed texts.
const char* synchronous_pragma(std::string_view word) {
  std::string w(word);
  std::transform(w.begin(), w.end(), w.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (w == "off") return "PRAGMA synchronous = OFF";
  if (w == "normal") return "PRAGMA synchronous = NORMAL";
  if (w == "full") return "PRAGMA synchronous = FULL";
  if (w == "extra") return "PRAGMA synchronous = EXTRA";
  throw store_error(SQLITE_MISUSE, "storage.synchronous must be off, normal, full or extra, not '" +
                                       std::string(word) + "'");
}

sqlite_db open_database(const store_options& o) {
  if (o.path.empty()) throw store_error(SQLITE_MISUSE, "storage.path is empty");
  synchronous_pragma(o.synchronous);  // refuse a bad setting before touching the file
  return sqlite_db(o.path, sqlite_db::default_flags, o.busy_timeout_ms);
}

constexpr int event_columns = 17;

std::string events_insert_sql(int rows) {
  std::string sql =
      "INSERT INTO events(id, source, seq, time_ns, arrival_ns, time_from_log, facility, "
      "severity, host, app, procid, msgid, message, template_id, params, fields, entity_keys) "
      "VALUES";
  for (int r = 0; r < rows; ++r) {
    sql += r ? ",(" : "(";
    for (int c = 1; c <= event_columns; ++c) {
      sql += c > 1 ? ",?" : "?";
      sql += std::to_string(r * event_columns + c);
    }
    sql += ')';
  }
  return sql;
}

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// Absent values are NULL: empty text, and the model's "none" codes.
void bind_text_or_null(statement& s, int i, const std::string& v) {
  if (v.empty())
    s.bind_null(i);
  else
    s.bind_text(i, v, lifetime::borrowed);
}

void bind_int_or_null(statement& s, int i, std::int64_t v, bool present) {
  if (present)
    s.bind_int64(i, v);
  else
    s.bind_null(i);
}

}  // namespace

event_store::event_store(store_options options)
    : db_(open_database(options)), options_(std::move(options)) {
  check_schema(db_);
  // 8 KiB pages: a third fewer WAL frames (and write calls) than 4 KiB for the same rows;
  // measured 7.6 -> 6.6 µs per event (bench/pipeline/stages.cpp). Only new files take it.
  db_.exec("PRAGMA page_size = 8192");
  // Retention frees pages; with incremental auto-vacuum it can hand them back to the file
  // system a bounded number at a time (a full VACUUM would rewrite the whole file under the
  // write lock). Only a new file takes it; an older one reuses its free pages for new rows.
  db_.exec("PRAGMA auto_vacuum = INCREMENTAL");
  const std::string mode = db_.query_text("PRAGMA journal_mode = WAL");
  if (mode != "wal")
    throw store_error(SQLITE_ERROR, "database " + db_.path() +
                                        " cannot use write-ahead logging (journal mode is '" +
                                        mode +
                                        "'), so readers would block the writer; put "
                                        "storage.path on a local file system");
  db_.exec(synchronous_pragma(options_.synchronous));
  db_.exec(tuning_pragmas);
  schema_version_ = migrate(db_);

  begin_ = db_.prepare("BEGIN IMMEDIATE");
  commit_ = db_.prepare("COMMIT");
  rollback_ = db_.prepare("ROLLBACK");
  max_id_ = db_.prepare("SELECT coalesce(max(id), 0) FROM events");
  insert_event_ = db_.prepare(events_insert_sql(1));
  insert_events_ = db_.prepare(events_insert_sql(events_per_insert));
  insert_rejected_ = db_.prepare(
      "INSERT INTO rejected(source, reason, detail, data, arrival_ns, peer) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  upsert_alert_ = db_.prepare(
      "INSERT INTO alerts(id, kind, severity, rule, title, source, time_ns, last_time_ns, "
      "dedup_key, entities, event_seqs, details, stored_at_ns) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, ?9, ?10, ?11, ?12) "
      "ON CONFLICT(id) DO UPDATE SET dedup_count = dedup_count + 1, "
      "last_time_ns = max(last_time_ns, excluded.last_time_ns)");
  insert_tactic_ = db_.prepare(
      "INSERT INTO alert_tactics(alert_id, tactic) VALUES(?1, ?2) ON CONFLICT DO NOTHING");
  insert_technique_ = db_.prepare(
      "INSERT INTO alert_techniques(alert_id, technique) VALUES(?1, ?2) ON CONFLICT DO NOTHING");
  upsert_rule_ = db_.prepare(
      "INSERT INTO rule_state(rule, kind, title, match_count, first_fired_ns, last_fired_ns) "
      "VALUES(?1, ?2, ?3, 1, ?4, ?4) ON CONFLICT(rule) DO UPDATE SET "
      "title = coalesce(excluded.title, title), match_count = match_count + 1, "
      "first_fired_ns = min(first_fired_ns, excluded.first_fired_ns), "
      "last_fired_ns = max(last_fired_ns, excluded.last_fired_ns)");
  upsert_tail_offset_ = db_.prepare(
      "INSERT INTO tail_offsets(tailer, dev, ino, fingerprint, fingerprint_len, byte_offset, "
      "line, seq) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(tailer, dev, ino) DO UPDATE "
      "SET fingerprint = excluded.fingerprint, fingerprint_len = excluded.fingerprint_len, "
      "byte_offset = excluded.byte_offset, line = excluded.line, seq = excluded.seq");
  prune_tail_offsets_ = db_.prepare("DELETE FROM tail_offsets WHERE tailer = ?1 AND seq <= ?2");
  load_tail_offsets_ = db_.prepare(
      "SELECT dev, ino, fingerprint, fingerprint_len, byte_offset, line, seq FROM tail_offsets "
      "WHERE tailer = ?1");
  // New entities are appended to the journal; the fold moves them into `entities`.
  insert_entity_ = db_.prepare(
      "INSERT INTO entity_journal(entity_key, uuid, type, value, first_seen_ns, last_seen_ns) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  // Counts arrive with the fold; a row that exists already (the key set forgot it) is kept.
  merge_journal_ = db_.prepare(
      "INSERT INTO entities(entity_key, uuid, type, value, first_seen_ns, last_seen_ns, "
      "event_count) SELECT entity_key, uuid, type, value, min(first_seen_ns), "
      "max(last_seen_ns), 0 FROM entity_journal WHERE true GROUP BY entity_key "
      "ORDER BY entity_key ON CONFLICT(entity_key) DO NOTHING");
  clear_journal_ = db_.prepare("DELETE FROM entity_journal");
  save_state_ = db_.prepare(
      "INSERT INTO model_state(name, bytes, saved_at_ns) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(name) DO UPDATE SET bytes = excluded.bytes, saved_at_ns = excluded.saved_at_ns");
  load_state_ = db_.prepare("SELECT bytes FROM model_state WHERE name = ?1");
  upsert_graph_edge_ = db_.prepare(
      "INSERT INTO graph_edges(from_key, edge_type, to_key, from_type, from_value, to_type, "
      "to_value, first_seen_ns, last_seen_ns, count) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
      "?10) ON CONFLICT(from_key, edge_type, to_key) DO UPDATE SET "
      "first_seen_ns = min(first_seen_ns, excluded.first_seen_ns), "
      "last_seen_ns = max(last_seen_ns, excluded.last_seen_ns), "
      "count = count + excluded.count");
  save_snapshot_ = db_.prepare(
      "INSERT INTO actor_snapshots(kind, key, node, saved_at_ns, bytes) VALUES(?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(kind, key) DO UPDATE SET node = excluded.node, "
      "saved_at_ns = excluded.saved_at_ns, bytes = excluded.bytes");
  load_snapshots_ = db_.prepare(
      "SELECT kind, key, bytes FROM actor_snapshots WHERE node = ?1 ORDER BY kind, key");
  upsert_template_ = db_.prepare(
      "INSERT INTO templates(template_id, source, template, first_seen_ns, last_seen_ns, "
      "event_count) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
      "ON CONFLICT(template_id) DO UPDATE SET "
      "source = coalesce(source, excluded.source), "
      "template = coalesce(excluded.template, template), "
      "first_seen_ns = min(first_seen_ns, excluded.first_seen_ns), "
      "last_seen_ns = max(last_seen_ns, excluded.last_seen_ns), "
      "event_count = event_count + excluded.event_count");
  update_entity_ = db_.prepare(
      "UPDATE entities SET first_seen_ns = min(first_seen_ns, ?2), "
      "last_seen_ns = max(last_seen_ns, ?3), event_count = event_count + ?4 "
      "WHERE entity_key = ?1");
  last_posting_ = db_.prepare(
      "SELECT id, length(event_ids) FROM entity_postings WHERE entity_key = ?1 "
      "ORDER BY first_event_id DESC LIMIT 1");
  insert_posting_ = db_.prepare(
      "INSERT INTO entity_postings(entity_key, first_event_id, last_event_id, event_ids) "
      "VALUES(?1, ?2, ?3, ?4)");
  // ?4 is ",id,...,id]": it replaces the row's closing bracket (the text is ASCII, so
  // length() counts bytes).
  extend_posting_ = db_.prepare(
      "UPDATE entity_postings SET last_event_id = ?2, "
      "event_ids = substr(event_ids, 1, length(event_ids) - 1) || ?3 "
      "WHERE id = ?1 AND entity_key = ?4");
  set_folded_ =
      db_.prepare("UPDATE store_meta SET value = ?1 WHERE name = 'folded_through_event_id'");

  // Links committed before a crash but never folded live only in events.entity_keys.
  const std::int64_t folded = db_.query_int64(
      "SELECT coalesce((SELECT value FROM store_meta WHERE name = 'folded_through_event_id'), 0)");
  known_max_id_ = folded;
  load_unfolded(folded);
  if (options_.text_index) text_ = std::make_unique<text_indexer>(db_.path(), options_.text);
  // Retention may have deleted the newest events; ids must still not go back below the
  // watermarks, or new events would count as indexed and folded.
  known_max_id_ = std::max({db_.query_int64("SELECT coalesce(max(id), 0) FROM events"), folded,
                            text_ ? text_->indexed_through() : std::int64_t{0}});
  next_id_ = known_max_id_ + 1;
  retention_.emplace(db_, text_ ? text_index_path(db_.path()) : std::string());
  if (unfolded_.empty()) return;
  try {
    fold();
  } catch (const store_error& e) {
    // The store works without it (the view reads events.entity_keys); the next commit retries.
    log::warn("store", "could not fold ", unfolded_.size(),
              " entity links left by the last run: ", e.what());
  }
}

event_store::~event_store() {
  text_.reset();  // stops its thread; it resumes from its watermark on the next open
  if (in_txn_) abort_transaction();
  try {
    if (!unfolded_.empty()) fold();
  } catch (...) {
    // The links stay in events.entity_keys; the next open folds them.
  }
}

void event_store::load_unfolded(std::int64_t after_id) {
  auto q = db_.prepare(
      "SELECT id, time_ns, entity_keys FROM events WHERE id > ?1 AND entity_keys IS NOT NULL "
      "ORDER BY id",
      false);
  q.bind_int64(1, after_id);
  const std::size_t before = unfolded_.size();
  while (q.step()) {
    const std::int64_t id = q.column_int64(0), t = q.column_int64(1);
    const std::string_view text = q.column_text(2);
    // Our own format, [k1,k2,...]; anything else (a hand-edited row) contributes what parses.
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end) {
      if (*p == '-' || (*p >= '0' && *p <= '9')) {
        std::int64_t k = 0;
        const auto r = std::from_chars(p, end, k);
        if (r.ec == std::errc()) unfolded_.push_back({static_cast<std::uint64_t>(k), id, t});
        p = r.ptr == p ? p + 1 : r.ptr;
      } else {
        ++p;
      }
    }
    known_max_id_ = std::max(known_max_id_, id);
  }
  if (before == 0 && !unfolded_.empty()) unfolded_since_ns_ = util::mono_now_ns();
}

void event_store::begin() {
  begin_.run();
  in_txn_ = true;
  try {
    // Read under the write lock: ids stay unique, and events someone else wrote since our
    // last transaction get their links folded too.
    max_id_.step();
    const std::int64_t max_id = max_id_.column_int64(0);
    max_id_.reset();
    if (max_id > known_max_id_) load_unfolded(known_max_id_);
    known_max_id_ = std::max(known_max_id_, max_id);
    next_id_ = known_max_id_ + 1;
  } catch (...) {
    abort_transaction();
    throw;
  }
}

void event_store::add_events(const std::vector<model::event>& events) {
  if (events.empty()) return;
  if (!in_txn_) begin();
  try {
    std::size_t i = 0;
    for (; events.size() - i >= events_per_insert; i += events_per_insert) {
      for (int r = 0; r < events_per_insert; ++r)
        stage_event(insert_events_, r, events[i + static_cast<std::size_t>(r)]);
      insert_events_.run();
      pending_.events += events_per_insert;
    }
    for (; i < events.size(); ++i) {
      stage_event(insert_event_, 0, events[i]);
      insert_event_.run();
      ++pending_.events;
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
}

// Binds event `e` as row `row` of statement `s` and records its links, new entities and
// template. The row's JSON lives in per-row scratch until the statement runs.
void event_store::stage_event(statement& s, int row, const model::event& e) {
  const std::int64_t id = next_id_++;
  const int b = row * event_columns;
  auto& scratch = rows_[static_cast<std::size_t>(row)];
  auto& keys_json = scratch.keys;

  // Distinct keys, in the event's order; an entity named twice links once.
  event_keys_.clear();
  keys_json.clear();
  for (const auto& ref : e.entities) {
    const std::uint64_t key = model::entity_key(ref.id);
    if (std::find(event_keys_.begin(), event_keys_.end(), key) != event_keys_.end()) continue;
    event_keys_.push_back(key);
    keys_json.push_back(keys_json.empty() ? '[' : ',');
    append_int(keys_json, static_cast<std::int64_t>(key));
    if (known_entities_.contains(key)) continue;
    auto [agg, fresh] = new_entities_.find_or_add(key);
    if (fresh) {
      agg.type = ref.type;
      agg.id = ref.id;
      agg.value.assign(ref.value);
      agg.first_ns = agg.last_ns = e.time_ns;
    } else {
      agg.first_ns = std::min(agg.first_ns, e.time_ns);
      agg.last_ns = std::max(agg.last_ns, e.time_ns);
    }
  }
  if (!keys_json.empty()) keys_json.push_back(']');

  s.bind_int64(b + 1, id);
  bind_text_or_null(s, b + 2, e.source);
  bind_int_or_null(s, b + 3, static_cast<std::int64_t>(e.seq), e.seq != 0);
  s.bind_int64(b + 4, e.time_ns);
  bind_int_or_null(s, b + 5, e.arrival_ns, e.arrival_ns != 0);
  s.bind_int64(b + 6, e.time_from_log ? 1 : 0);
  bind_int_or_null(s, b + 7, e.facility, e.facility >= 0);
  bind_int_or_null(s, b + 8, e.severity, e.severity >= 0);
  bind_text_or_null(s, b + 9, e.host);
  bind_text_or_null(s, b + 10, e.app);
  bind_text_or_null(s, b + 11, e.procid);
  bind_text_or_null(s, b + 12, e.msgid);
  bind_text_or_null(s, b + 13, e.message);
  bind_int_or_null(s, b + 14, static_cast<std::int64_t>(e.template_id), e.template_id != 0);
  write_json_array(scratch.params, e.params);
  bind_text_or_null(s, b + 15, scratch.params);
  write_json_object(scratch.fields, e.fields);
  bind_text_or_null(s, b + 16, scratch.fields);
  bind_text_or_null(s, b + 17, keys_json);

  if (!event_keys_.empty() && unfolded_.empty()) unfolded_since_ns_ = util::mono_now_ns();
  for (const std::uint64_t key : event_keys_) unfolded_.push_back({key, id, e.time_ns});
  pending_.links += event_keys_.size();

  if (e.template_id != 0) {
    auto [agg, fresh] = templates_.find_or_add(e.template_id);
    if (fresh) {
      agg.source.assign(e.source);
      agg.text.assign(e.template_text);
      agg.first_ns = agg.last_ns = e.time_ns;
      agg.count = 1;
    } else {
      if (!e.template_text.empty() && agg.text != e.template_text) agg.text.assign(e.template_text);
      agg.first_ns = std::min(agg.first_ns, e.time_ns);
      agg.last_ns = std::max(agg.last_ns, e.time_ns);
      ++agg.count;
    }
  }
}

std::size_t event_store::index_text(std::size_t max_rows) {
  if (in_txn_) commit();
  if (!text_) return 0;
  text_->notify(known_max_id_);
  const auto n = text_->index_now(max_rows);
  text_->drop_expired_now();
  return n;
}

void event_store::add_alerts(const std::vector<model::alert>& alerts) {
  if (alerts.empty()) return;
  if (!in_txn_) begin();
  try {
    std::string entities, seqs;
    for (const auto& a : alerts) {
      write_alert_entities(entities, a.entities);
      write_int_array(seqs, a.event_seqs);
      auto& s = upsert_alert_;
      s.bind_text(1, a.id, lifetime::borrowed);
      s.bind_text(2, a.kind, lifetime::borrowed);
      s.bind_text(3, a.severity, lifetime::borrowed);
      bind_text_or_null(s, 4, a.rule);
      bind_text_or_null(s, 5, a.title);
      bind_text_or_null(s, 6, a.source);
      s.bind_int64(7, a.time_ns);
      bind_text_or_null(s, 8, a.dedup_key);
      bind_text_or_null(s, 9, entities);
      bind_text_or_null(s, 10, seqs);
      bind_text_or_null(s, 11, a.details_json);
      s.bind_int64(12, util::wall_now_ns());
      s.run();
      for (const auto& t : a.tactics) {
        insert_tactic_.bind_text(1, a.id, lifetime::borrowed);
        insert_tactic_.bind_text(2, t, lifetime::borrowed);
        insert_tactic_.run();
      }
      for (const auto& t : a.techniques) {
        insert_technique_.bind_text(1, a.id, lifetime::borrowed);
        insert_technique_.bind_text(2, t, lifetime::borrowed);
        insert_technique_.run();
      }
      // The state of the rule behind it (anomaly and other detector alerts have no rule row).
      if (!a.rule.empty() && (a.kind == "sigma" || a.kind == "correlation")) {
        upsert_rule_.bind_text(1, a.rule, lifetime::borrowed);
        upsert_rule_.bind_text(2, a.kind, lifetime::borrowed);
        bind_text_or_null(upsert_rule_, 3, a.title);
        upsert_rule_.bind_int64(4, a.time_ns);
        upsert_rule_.run();
      }
      ++pending_.alerts;
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
}

void event_store::add_rejected(const std::vector<model::rejected_record>& records) {
  if (records.empty()) return;
  if (!in_txn_) begin();
  try {
    auto& s = insert_rejected_;
    for (const auto& r : records) {
      bind_text_or_null(s, 1, r.source);
      bind_text_or_null(s, 2, r.reason);
      bind_text_or_null(s, 3, r.detail);
      if (r.data.empty())
        s.bind_null(4);
      else
        s.bind_blob(4, r.data, lifetime::borrowed);
      bind_int_or_null(s, 5, r.arrival_ns, r.arrival_ns != 0);
      bind_text_or_null(s, 6, r.peer);
      s.run();
      ++pending_.rejected;
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
}

std::size_t event_store::pending_rows() const {
  return pending_.events + pending_.rejected + pending_.alerts + new_entities_.size() +
         templates_.size();
}

bool event_store::fold_due() const {
  if (unfolded_.empty()) return false;
  if (unfolded_.size() >= options_.fold_links) return true;
  return util::mono_now_ns() - unfolded_since_ns_ >= options_.fold_interval_ms * 1'000'000;
}

// The entity rows first seen and the template upserts of the open transaction.
std::size_t event_store::write_staged() {
  auto ents = new_entities_.entries();
  for (std::size_t i = 0; i < ents.size(); ++i) {
    const auto& a = ents[i];
    const auto uuid = format_uuid(a.id);
    auto& s = insert_entity_;
    s.bind_int64(1, static_cast<std::int64_t>(new_entities_.key(i)));
    s.bind_text(2, std::string_view(uuid.data(), uuid.size()), lifetime::borrowed);
    s.bind_text(3, model::to_string(a.type), lifetime::borrowed);
    s.bind_text(4, a.value, lifetime::borrowed);
    s.bind_int64(5, a.first_ns);
    s.bind_int64(6, a.last_ns);
    s.run();
  }
  auto tpls = templates_.entries();
  for (std::size_t i = 0; i < tpls.size(); ++i) {
    const auto& a = tpls[i];
    auto& s = upsert_template_;
    s.bind_int64(1, static_cast<std::int64_t>(templates_.key(i)));
    bind_text_or_null(s, 2, a.source);
    bind_text_or_null(s, 3, a.text);
    s.bind_int64(4, a.first_ns);
    s.bind_int64(5, a.last_ns);
    s.bind_int64(6, a.count);
    s.run();
  }
  return pending_rows();
}

std::size_t event_store::commit() {
  if (!in_txn_) return fold_due() ? fold() : 0;
  std::size_t rows = 0;
  bool folded = false;
  try {
    rows = write_staged();
    if (fold_due()) {
      rows += write_fold();
      folded = true;
    }
    commit_.run();
  } catch (...) {
    abort_transaction();
    throw;
  }
  after_commit(folded);
  return rows;
}

std::size_t event_store::fold() {
  std::size_t rows = in_txn_ ? commit() : 0;
  if (unfolded_.empty()) return rows;
  begin();
  try {
    rows += write_fold();
    commit_.run();
  } catch (...) {
    abort_transaction();
    throw;
  }
  after_commit(true);
  return rows;
}

// Folds every link in unfolded_ (which includes the open transaction's) into entity counts
// and postings, and moves the watermark; all inside the open transaction. Links are grouped by
// entity with a counting sort (unfolded_ is in event order, so each group comes out in order)
// and entities are visited in key order, which walks the B-trees front to back.
std::size_t event_store::write_fold() {
  // Links folded now may belong to events retention already deleted: the next retention step
  // looks for postings and entities left without events.
  if (totals_.deleted.events > 0) {
    postings_pending_ = true;
    entity_sweep_due_ = true;
  }
  // Entities first: the count updates below need their rows.
  merge_journal_.run();
  std::size_t rows = static_cast<std::size_t>(db_.changes());
  clear_journal_.run();
  if (tails_.size() > max_posting_tails) tails_.clear();
  tails_changed_ = true;
  fold_aggs_.clear();
  fold_slot_.resize(unfolded_.size());
  for (std::size_t i = 0; i < unfolded_.size(); ++i) {
    const link& l = unfolded_[i];
    auto [agg, fresh] = fold_aggs_.find_or_add(l.key);
    if (fresh) {
      agg.first_ns = agg.last_ns = l.time_ns;
      agg.count = 0;
      agg.index = static_cast<std::uint32_t>(fold_aggs_.size() - 1);
    }
    agg.first_ns = std::min(agg.first_ns, l.time_ns);
    agg.last_ns = std::max(agg.last_ns, l.time_ns);
    ++agg.count;
    fold_slot_[i] = agg.index;
  }
  auto aggs = fold_aggs_.entries();
  fold_order_.resize(aggs.size());
  for (std::uint32_t i = 0; i < aggs.size(); ++i) fold_order_[i] = i;
  std::sort(fold_order_.begin(), fold_order_.end(), [this](std::uint32_t a, std::uint32_t b) {
    return fold_aggs_.key(a) < fold_aggs_.key(b);
  });
  std::int64_t offset = 0;
  for (const std::uint32_t i : fold_order_) {
    aggs[i].offset = offset;
    offset += aggs[i].count;
  }
  fold_ids_.resize(unfolded_.size());
  for (std::size_t i = 0; i < unfolded_.size(); ++i)
    fold_ids_[static_cast<std::size_t>(aggs[fold_slot_[i]].offset++)] = unfolded_[i].event_id;

  std::int64_t* ids = fold_ids_.data();
  for (const std::uint32_t i : fold_order_) {
    const auto& a = aggs[i];
    const std::uint64_t key = fold_aggs_.key(i);
    auto& u = update_entity_;
    u.bind_int64(1, static_cast<std::int64_t>(key));
    u.bind_int64(2, a.first_ns);
    u.bind_int64(3, a.last_ns);
    u.bind_int64(4, a.count);
    u.run();
    rows += static_cast<std::size_t>(db_.changes());
    pending_.entities_upserted += static_cast<std::uint64_t>(db_.changes());
    // A group can be out of order only if events were loaded from another writer's range.
    if (!std::is_sorted(ids, ids + a.count)) std::sort(ids, ids + a.count);
    write_postings(key, ids, ids + a.count);
    ids += a.count;
  }
  rows += pending_.postings_written;
  set_folded_.bind_int64(1, next_id_ - 1);
  set_folded_.run();
  return rows;
}

// Appends the event ids [first, last) of one entity to its postings: onto its latest row
// while that stays small (SQLite appends the text, so the row is not read here), then in new
// rows of at most posting_bytes. tails_ remembers each entity's latest row, so a fold does not
// have to look it up.
void event_store::write_postings(std::uint64_t key, const std::int64_t* first,
                                 const std::int64_t* last) {
  const auto k = static_cast<std::int64_t>(key);
  auto [tail, unknown] = tails_.find_or_add(key);
  if (unknown) {
    tail = {};
    last_posting_.bind_int64(1, k);
    if (last_posting_.step()) {
      tail.row = last_posting_.column_int64(0);
      tail.bytes = static_cast<std::uint32_t>(last_posting_.column_int64(1));
    }
    last_posting_.reset();
  }

  const std::int64_t* id = first;
  if (tail.bytes != 0 && tail.bytes + 24 < posting_bytes) {
    posting_json_.clear();
    std::int64_t last_id = 0;
    while (id < last && tail.bytes + posting_json_.size() + 24 < posting_bytes) {
      posting_json_.push_back(',');
      append_int(posting_json_, *id);
      last_id = *id++;
    }
    posting_json_.push_back(']');
    auto& s = extend_posting_;
    s.bind_int64(1, tail.row);
    s.bind_int64(2, last_id);
    s.bind_text(3, posting_json_, lifetime::borrowed);
    // The entity too: retention may have deleted the row and a new one taken its id.
    s.bind_int64(4, k);
    s.run();
    if (db_.changes() == 1) {
      tail.bytes += static_cast<std::uint32_t>(posting_json_.size() - 1);
      ++pending_.postings_written;
    } else {
      id = first;  // the row is gone (edited by hand?): start a new one instead
    }
  }

  while (id < last) {
    posting_json_.assign(1, '[');
    const std::int64_t chunk_first = *id;
    std::int64_t chunk_last = 0;
    while (id < last && posting_json_.size() + 24 < posting_bytes) {
      if (posting_json_.size() > 1) posting_json_.push_back(',');
      append_int(posting_json_, *id);
      chunk_last = *id++;
    }
    posting_json_.push_back(']');
    auto& s = insert_posting_;
    s.bind_int64(1, k);
    s.bind_int64(2, chunk_first);
    s.bind_int64(3, chunk_last);
    s.bind_text(4, posting_json_, lifetime::borrowed);
    s.run();
    ++pending_.postings_written;
    tail.row = db_.last_insert_rowid();
    tail.bytes = static_cast<std::uint32_t>(posting_json_.size());
  }
}

retention_counts event_store::enforce_retention(const retention_policy& policy, std::int64_t now_ns,
                                                std::size_t max_events) {
  retention_counts c;
  if (!policy.enabled() || max_events == 0) return c;
  if (in_txn_) commit();
  std::size_t budget = max_events;
  begin();
  try {
    auto& r = *retention_;
    std::int64_t rejected_before = 0;
    if (policy.max_age_ns > 0) {
      const std::int64_t cutoff = now_ns - policy.max_age_ns;
      budget -= r.delete_events(cutoff, budget, c);
      rejected_before = cutoff;
      if (r.delete_snapshots(cutoff, max_events, c) == max_events) c.more = true;
    }
    if (policy.max_bytes > 0 && budget > 0) {
      const std::int64_t used = r.used_bytes();
      if (used > policy.max_bytes) {
        // Down to 95% of the cap: the next flushes then do not cross it again at once.
        const double per_event = r.bytes_per_event();
        const double excess =
            static_cast<double>(used) - 0.95 * static_cast<double>(policy.max_bytes);
        std::size_t want = budget;
        if (per_event > 0)
          want =
              std::clamp<std::size_t>(static_cast<std::size_t>(excess / per_event) + 1, 1, budget);
        const std::size_t n = r.delete_events(std::numeric_limits<std::int64_t>::max(), want, c);
        budget -= n;
        // The full-text index gives its space back a part at a time, once every event of the
        // part is gone (text_index.hpp), so a step can end above the cap: go on while events go.
        if (n > 0 && r.used_bytes() > policy.max_bytes) c.more = true;
        // Rejected records are as old as the events they arrived among.
        std::int64_t oldest_time = 0, oldest_arrival = now_ns;
        if (n > 0) {
          r.oldest_event(oldest_time, oldest_arrival);
          rejected_before = std::max(rejected_before, oldest_arrival);
        }
      }
    }
    if (rejected_before > 0 && r.delete_rejected(rejected_before, max_events, c) == max_events)
      c.more = true;
    if (c.events > 0) entity_sweep_due_ = true;
    if (c.events > 0 || postings_pending_) {
      const std::size_t limit = max_events;
      postings_pending_ = r.delete_stale_postings(limit, c) == limit;
      c.more = c.more || postings_pending_;
    }
    if (policy.alerts_max_age_ns > 0 &&
        r.delete_alerts(now_ns - policy.alerts_max_age_ns, max_events, c) == max_events)
      c.more = true;
    // An entity is gone when its last event is older than every stored event. Its count and
    // last sighting are exact only when no link waits for a fold.
    if (entity_sweep_due_ && unfolded_.empty()) {
      std::int64_t oldest_time = std::numeric_limits<std::int64_t>::max(), oldest_arrival = 0;
      r.oldest_event(oldest_time, oldest_arrival);
      deleted_entities_.clear();
      if (r.sweep_entities(oldest_time, max_events, deleted_entities_, c))
        entity_sweep_due_ = false;
    }
    // 32 MiB of 8 KiB pages per step at most: shrinking the file is I/O the writer waits for.
    r.vacuum(4096, c);
    commit_.run();
  } catch (...) {
    deleted_entities_.clear();
    abort_transaction();
    throw;
  }
  in_txn_ = false;
  for (const std::uint64_t k : deleted_entities_) known_entities_.erase(k);
  deleted_entities_.clear();
  if (budget == 0) c.more = true;
  totals_.deleted += c;
  return c;
}

void event_store::save_state(const std::string& name, std::string_view bytes) {
  const bool own = !in_txn_;
  if (own) begin();
  try {
    save_state_.bind_text(1, name, lifetime::borrowed);
    save_state_.bind_blob(2, bytes, lifetime::borrowed);
    save_state_.bind_int64(3, util::wall_now_ns());
    save_state_.run();
  } catch (...) {
    abort_transaction();
    throw;
  }
  if (own) commit();
}

void event_store::add_graph_edges(const std::vector<model::edge_observation>& edges) {
  if (edges.empty()) return;
  const bool own = !in_txn_;
  if (own) begin();
  try {
    auto& s = upsert_graph_edge_;
    for (const auto& e : edges) {
      s.bind_int64(1, static_cast<std::int64_t>(model::entity_key(e.from.id)));
      s.bind_text(2, model::to_string(e.type), lifetime::borrowed);
      s.bind_int64(3, static_cast<std::int64_t>(model::entity_key(e.to.id)));
      s.bind_text(4, model::to_string(e.from.type), lifetime::borrowed);
      s.bind_text(5, e.from.value, lifetime::borrowed);
      s.bind_text(6, model::to_string(e.to.type), lifetime::borrowed);
      s.bind_text(7, e.to.value, lifetime::borrowed);
      s.bind_int64(8, e.first_ns);
      s.bind_int64(9, e.last_ns);
      s.bind_int64(10, static_cast<std::int64_t>(e.count));
      s.run();
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
  if (own) commit();
}

void event_store::add_tail_offsets(const model::tail_offsets& o) {
  if (!in_txn_) begin();
  try {
    const auto i64 = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
    if (o.saved_seq > 0) {
      prune_tail_offsets_.bind_text(1, o.tailer, lifetime::borrowed);
      prune_tail_offsets_.bind_int64(2, i64(o.saved_seq));
      prune_tail_offsets_.run();
    }
    auto& s = upsert_tail_offset_;
    for (const auto& f : o.files) {
      s.bind_text(1, o.tailer, lifetime::borrowed);
      s.bind_int64(2, i64(f.dev));
      s.bind_int64(3, i64(f.ino));
      s.bind_int64(4, i64(f.fingerprint));
      s.bind_int64(5, f.fingerprint_len);
      s.bind_int64(6, i64(f.offset));
      s.bind_int64(7, i64(f.line));
      s.bind_int64(8, i64(o.seq));
      s.run();
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
}

std::vector<model::stored_tail_offset> event_store::load_tail_offsets(const std::string& tailer) {
  std::vector<model::stored_tail_offset> out;
  auto& q = load_tail_offsets_;
  q.bind_text(1, tailer, lifetime::borrowed);
  try {
    const auto u64 = [&q](int c) { return static_cast<std::uint64_t>(q.column_int64(c)); };
    while (q.step()) {
      model::stored_tail_offset r;
      r.file.dev = u64(0);
      r.file.ino = u64(1);
      r.file.fingerprint = u64(2);
      r.file.fingerprint_len = static_cast<std::uint32_t>(u64(3));
      r.file.offset = u64(4);
      r.file.line = u64(5);
      r.seq = u64(6);
      out.push_back(r);
    }
  } catch (...) {
    q.reset();
    throw;
  }
  q.reset();
  return out;
}

void event_store::save_actor_snapshots(const std::string& node,
                                       const std::vector<actor_snapshot>& snapshots) {
  if (snapshots.empty()) return;
  const bool own = !in_txn_;
  if (own) begin();
  try {
    const auto now = util::wall_now_ns();
    auto& s = save_snapshot_;
    for (const auto* a : latest_per_id(snapshots)) {
      s.bind_text(1, a->entity ? "entity" : "template", lifetime::borrowed);
      s.bind_int64(2, static_cast<std::int64_t>(a->key));
      s.bind_text(3, node, lifetime::borrowed);
      s.bind_int64(4, now);
      s.bind_blob(5, a->bytes, lifetime::borrowed);
      s.run();
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
  if (own) commit();
}

std::vector<actor_snapshot> event_store::load_actor_snapshots(const std::string& node) {
  std::vector<actor_snapshot> out;
  auto& s = load_snapshots_;
  s.bind_text(1, node, lifetime::borrowed);
  try {
    while (s.step())
      out.push_back({s.column_text(0) == "entity", static_cast<std::uint64_t>(s.column_int64(1)),
                     std::string(s.column_blob(2))});
  } catch (...) {
    s.reset();
    throw;
  }
  s.reset();
  return out;
}

std::string event_store::load_state(const std::string& name) {
  load_state_.bind_text(1, name, lifetime::borrowed);
  std::string out;
  if (load_state_.step()) out = std::string(load_state_.column_blob(0));
  load_state_.reset();
  return out;
}

void event_store::after_commit(bool folded) {
  totals_.events += pending_.events;
  totals_.links += pending_.links;
  totals_.rejected += pending_.rejected;
  totals_.alerts += pending_.alerts;
  totals_.entities_upserted += pending_.entities_upserted + new_entities_.size();
  totals_.templates_upserted += templates_.size();
  totals_.postings_written += pending_.postings_written;
  ++totals_.commits;
  if (known_entities_.size() + new_entities_.size() > max_known_entities) known_entities_.clear();
  for (std::size_t i = 0; i < new_entities_.size(); ++i)
    known_entities_.insert(new_entities_.key(i));
  known_max_id_ = std::max(known_max_id_, next_id_ - 1);
  if (text_) text_->notify(known_max_id_);
  if (folded) {
    ++totals_.folds;
    unfolded_.clear();
    unfolded_since_ns_ = 0;
  }
  pending_ = {};
  new_entities_.clear();
  templates_.clear();
  tails_changed_ = false;
  in_txn_ = false;
}

void event_store::abort_transaction() noexcept {
  for (statement* s : {&insert_event_,
                       &insert_events_,
                       &insert_rejected_,
                       &insert_entity_,
                       &merge_journal_,
                       &clear_journal_,
                       &upsert_template_,
                       &update_entity_,
                       &last_posting_,
                       &insert_posting_,
                       &extend_posting_,
                       &set_folded_,
                       &max_id_,
                       &commit_,
                       &begin_,
                       &upsert_alert_,
                       &insert_tactic_,
                       &insert_technique_,
                       &upsert_rule_,
                       &upsert_tail_offset_,
                       &prune_tail_offsets_})
    s->reset();
  // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) already rolled the transaction back.
  if (db_.in_transaction()) {
    try {
      rollback_.run();
    } catch (...) {
      // The connection is unusable if even ROLLBACK fails; the next begin() will report it.
    }
  }
  // A rolled-back fold may have recorded posting rows that are not there.
  if (tails_changed_) tails_.clear();
  tails_changed_ = false;
  // The links of the rolled-back events go; committed ones wait for the next fold (a fold
  // may have sorted them, which is harmless).
  std::erase_if(unfolded_, [this](const link& l) { return l.event_id > known_max_id_; });
  if (unfolded_.empty()) unfolded_since_ns_ = 0;
  pending_ = {};
  new_entities_.clear();
  templates_.clear();
  in_txn_ = false;
}

}  // namespace seerflow::store
