#include "runtime/store/pg/pg_event_store.hpp"

#include <algorithm>
#include <charconv>
#include <numeric>

#include "runtime/store/json_text.hpp"
#include "runtime/store/pg/pg_connection.hpp"
#include "runtime/store/pg/pg_migrations.hpp"
#include "runtime/store/pg/pg_text.hpp"
#include "runtime/store/store_error.hpp"
#include "runtime/util/clock.hpp"

namespace seerflow::store::pg {

namespace {

// The increment of events_id_seq (migration 1): one nextval reserves this many ids.
constexpr std::int64_t id_block = 4096;

void append_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void copy_text(std::string& out, std::string_view v) {
  if (v.empty())
    append_copy_null(out);
  else
    append_copy_field(out, v);
}

void copy_int(std::string& out, std::int64_t v, bool present) {
  if (present)
    append_int(out, v);
  else
    append_copy_null(out);
}

// Array literals of the unnest() upserts.
struct array_text {
  std::string s = "{";
  void add_int(std::int64_t v) {
    if (s.size() > 1) s += ',';
    append_int(s, v);
  }
  void add_text(std::string_view v) {
    if (s.size() > 1) s += ',';
    append_array_element(s, v);
  }
  void add_text_or_null(std::string_view v) {
    if (v.empty()) {
      if (s.size() > 1) s += ',';
      s += "NULL";
    } else {
      add_text(v);
    }
  }
  std::string done() { return s + '}'; }
};

// A bytea array element in hex input format (\x0a1b..., the backslash escaped by the array
// literal): any bytes, and nothing in the payload to escape.
void add_bytea(array_text& a, std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex = "\\x";
  hex.reserve(2 + 2 * bytes.size());
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    hex += digits[b >> 4];
    hex += digits[b & 0x0F];
  }
  a.add_text(hex);
}

// Snapshots per upsert statement: large enough that a batch costs few round trips, small
// enough that one statement's parameters stay a few megabytes.
constexpr std::size_t snapshots_per_statement = 500;

std::string clean(std::string_view s) {
  std::string scratch;
  return std::string(clean_text(s, scratch));
}

}  // namespace

pg_event_store::pg_event_store(pg_options options)
    : conn_(std::make_unique<connection>(options.url)) {
  schema_version_ = migrate(*conn_);
  auto& c = *conn_;
  c.prepare("next_ids", "SELECT nextval('events_id_seq')");
  c.prepare("upsert_entities",
            "INSERT INTO entities(entity_key, uuid, type, value, first_seen_ns, last_seen_ns, "
            "event_count) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], "
            "$5::bigint[], $6::bigint[], $7::bigint[]) "
            "ON CONFLICT (entity_key) DO UPDATE SET "
            "first_seen_ns = least(entities.first_seen_ns, excluded.first_seen_ns), "
            "last_seen_ns = greatest(entities.last_seen_ns, excluded.last_seen_ns), "
            "event_count = entities.event_count + excluded.event_count");
  c.prepare("upsert_templates",
            "INSERT INTO templates(template_id, source, template, first_seen_ns, last_seen_ns, "
            "event_count) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], "
            "$4::bigint[], $5::bigint[], $6::bigint[]) "
            "ON CONFLICT (template_id) DO UPDATE SET "
            "source = coalesce(templates.source, excluded.source), "
            "template = coalesce(excluded.template, templates.template), "
            "first_seen_ns = least(templates.first_seen_ns, excluded.first_seen_ns), "
            "last_seen_ns = greatest(templates.last_seen_ns, excluded.last_seen_ns), "
            "event_count = templates.event_count + excluded.event_count");
  c.prepare("insert_rejected",
            "INSERT INTO rejected(source, reason, detail, data, arrival_ns, peer) "
            "VALUES($1, $2, $3, $4, $5, $6)");
  c.prepare("upsert_alert",
            "INSERT INTO alerts(id, kind, severity, rule, title, source, time_ns, last_time_ns, "
            "dedup_key, entities, event_seqs, details, stored_at_ns) "
            "VALUES($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12) "
            "ON CONFLICT (id) DO UPDATE SET dedup_count = alerts.dedup_count + 1, "
            "last_time_ns = greatest(alerts.last_time_ns, excluded.last_time_ns)");
  c.prepare("insert_tactic",
            "INSERT INTO alert_tactics(alert_id, tactic) VALUES($1, $2) ON CONFLICT DO NOTHING");
  c.prepare("insert_technique",
            "INSERT INTO alert_techniques(alert_id, technique) VALUES($1, $2) "
            "ON CONFLICT DO NOTHING");
  c.prepare("upsert_rule",
            "INSERT INTO rule_state(rule, kind, title, match_count, first_fired_ns, "
            "last_fired_ns) VALUES($1, $2, $3, 1, $4, $4) ON CONFLICT (rule) DO UPDATE SET "
            "title = coalesce(excluded.title, rule_state.title), "
            "match_count = rule_state.match_count + 1, "
            "first_fired_ns = least(rule_state.first_fired_ns, excluded.first_fired_ns), "
            "last_fired_ns = greatest(rule_state.last_fired_ns, excluded.last_fired_ns)");
  c.prepare("save_state",
            "INSERT INTO model_state(name, bytes, saved_at_ns) VALUES($1, $2, $3) "
            "ON CONFLICT (name) DO UPDATE SET bytes = excluded.bytes, "
            "saved_at_ns = excluded.saved_at_ns");
  c.prepare("load_state", "SELECT bytes FROM model_state WHERE name = $1");
  c.prepare("upsert_tail_offset",
            "INSERT INTO tail_offsets(tailer, dev, ino, fingerprint, fingerprint_len, "
            "byte_offset, line, seq) VALUES($1, $2, $3, $4, $5, $6, $7, $8) "
            "ON CONFLICT (tailer, dev, ino) DO UPDATE SET fingerprint = excluded.fingerprint, "
            "fingerprint_len = excluded.fingerprint_len, byte_offset = excluded.byte_offset, "
            "line = excluded.line, seq = excluded.seq");
  c.prepare("prune_tail_offsets", "DELETE FROM tail_offsets WHERE tailer = $1 AND seq <= $2");
  c.prepare("load_tail_offsets",
            "SELECT dev, ino, fingerprint, fingerprint_len, byte_offset, line, seq "
            "FROM tail_offsets WHERE tailer = $1");
  // In key order, as the entity upserts, so that nodes writing at once do not deadlock.
  c.prepare("save_snapshots",
            "INSERT INTO actor_snapshots(kind, key, node, saved_at_ns, bytes) "
            "SELECT k, n, $1, $2, b FROM unnest($3::text[], $4::bigint[], $5::bytea[]) "
            "AS t(k, n, b) ORDER BY k, n ON CONFLICT (kind, key) DO UPDATE SET "
            "node = excluded.node, saved_at_ns = excluded.saved_at_ns, bytes = excluded.bytes");
  c.prepare("load_snapshots",
            "SELECT kind, key, bytes FROM actor_snapshots WHERE node = $1 ORDER BY kind, key");
  c.prepare("upsert_edge",
            "INSERT INTO graph_edges(from_key, edge_type, to_key, from_type, from_value, "
            "to_type, to_value, first_seen_ns, last_seen_ns, count) "
            "VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
            "ON CONFLICT (from_key, edge_type, to_key) DO UPDATE SET "
            "first_seen_ns = least(graph_edges.first_seen_ns, excluded.first_seen_ns), "
            "last_seen_ns = greatest(graph_edges.last_seen_ns, excluded.last_seen_ns), "
            "count = graph_edges.count + excluded.count");
  // Retention: the oldest events by event time, with their links, in one statement.
  c.prepare("delete_events",
            "WITH d AS (DELETE FROM events WHERE id IN (SELECT id FROM events WHERE time_ns < $1 "
            "ORDER BY time_ns, id LIMIT $2) RETURNING id), "
            "l AS (DELETE FROM event_entities WHERE event_id IN (SELECT id FROM d) RETURNING 1) "
            "SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM l)");
  // Snapshots no owner refreshed within the retention period: the actor has not changed for
  // that long, and a state older than the events kept is not worth restoring.
  c.prepare("delete_snapshots",
            "DELETE FROM actor_snapshots WHERE (kind, key) IN (SELECT kind, key FROM "
            "actor_snapshots WHERE saved_at_ns < $1 ORDER BY saved_at_ns LIMIT $2)");
  c.prepare("delete_rejected",
            "DELETE FROM rejected WHERE id IN (SELECT id FROM rejected WHERE arrival_ns < $1 "
            "ORDER BY arrival_ns LIMIT $2)");
  c.prepare("delete_alerts",
            "WITH d AS (DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE "
            "last_time_ns < $1 ORDER BY last_time_ns LIMIT $2) RETURNING id), "
            "t AS (DELETE FROM alert_tactics WHERE alert_id IN (SELECT id FROM d)), "
            "q AS (DELETE FROM alert_techniques WHERE alert_id IN (SELECT id FROM d)) "
            "SELECT count(*) FROM d");
  // An entity is gone when its last sighting is older than every stored event.
  c.prepare("delete_entities",
            "DELETE FROM entities WHERE entity_key IN (SELECT entity_key FROM entities WHERE "
            "last_seen_ns < coalesce((SELECT min(time_ns) FROM events), "
            "9223372036854775807) LIMIT $1)");
}

pg_event_store::~pg_event_store() {
  if (in_txn_) abort_transaction();
}

std::string pg_event_store::location() const {
  return conn_->location();
}

void pg_event_store::begin() {
  conn_->exec("BEGIN");
  in_txn_ = true;
}

void pg_event_store::abort_transaction() noexcept {
  conn_->rollback_quietly();
  in_txn_ = false;
  events_copy_.clear();
  links_copy_.clear();
  entities_.clear();
  templates_.clear();
  pending_ = {};
}

std::int64_t pg_event_store::next_event_id() {
  if (id_next_ == id_end_) {
    // A block of the sequence is ours alone (nextval never hands it out twice, even across
    // nodes or a rollback); ids of a block cut short by a restart are simply never used.
    id_next_ = conn_->run("next_ids", {}).int64(0, 0);
    id_end_ = id_next_ + id_block;
  }
  return id_next_++;
}

void pg_event_store::add_events(const std::vector<model::event>& events) {
  if (events.empty()) return;
  try {
    if (!in_txn_) begin();
    std::string json, keys;
    std::vector<std::uint64_t> event_keys;
    for (const auto& e : events) {
      const std::int64_t id = next_event_id();
      event_keys.clear();
      keys.clear();
      for (const auto& ref : e.entities) {
        const std::uint64_t key = model::entity_key(ref.id);
        if (std::find(event_keys.begin(), event_keys.end(), key) != event_keys.end()) continue;
        event_keys.push_back(key);
        keys.push_back(keys.empty() ? '[' : ',');
        append_int(keys, static_cast<std::int64_t>(key));
        auto [agg, fresh] = entities_.find_or_add(key);
        if (fresh) {
          agg.type = ref.type;
          agg.id = ref.id;
          agg.value.assign(ref.value);
          agg.first_ns = agg.last_ns = e.time_ns;
          agg.count = 0;
        }
        agg.first_ns = std::min(agg.first_ns, e.time_ns);
        agg.last_ns = std::max(agg.last_ns, e.time_ns);
        ++agg.count;
        append_int(links_copy_, static_cast<std::int64_t>(key));
        links_copy_ += '\t';
        append_int(links_copy_, id);
        links_copy_ += '\n';
      }
      if (!keys.empty()) keys.push_back(']');
      pending_.links += event_keys.size();

      auto& o = events_copy_;
      append_int(o, id);
      o += '\t';
      copy_text(o, e.source);
      o += '\t';
      copy_int(o, static_cast<std::int64_t>(e.seq), e.seq != 0);
      o += '\t';
      append_int(o, e.time_ns);
      o += '\t';
      copy_int(o, e.arrival_ns, e.arrival_ns != 0);
      o += '\t';
      o += e.time_from_log ? '1' : '0';
      o += '\t';
      copy_int(o, e.facility, e.facility >= 0);
      o += '\t';
      copy_int(o, e.severity, e.severity >= 0);
      o += '\t';
      copy_text(o, e.host);
      o += '\t';
      copy_text(o, e.app);
      o += '\t';
      copy_text(o, e.procid);
      o += '\t';
      copy_text(o, e.msgid);
      o += '\t';
      copy_text(o, e.message);
      o += '\t';
      copy_int(o, static_cast<std::int64_t>(e.template_id), e.template_id != 0);
      o += '\t';
      write_json_array(json, e.params);
      copy_text(o, json);
      o += '\t';
      write_json_object(json, e.fields);
      copy_text(o, json);
      o += '\t';
      copy_text(o, keys);
      o += '\n';
      ++pending_.events;

      if (e.template_id != 0) {
        auto [agg, fresh] = templates_.find_or_add(e.template_id);
        if (fresh) {
          agg.source.assign(e.source);
          agg.text.assign(e.template_text);
          agg.first_ns = agg.last_ns = e.time_ns;
          agg.count = 1;
        } else {
          if (!e.template_text.empty() && agg.text != e.template_text)
            agg.text.assign(e.template_text);
          agg.first_ns = std::min(agg.first_ns, e.time_ns);
          agg.last_ns = std::max(agg.last_ns, e.time_ns);
          ++agg.count;
        }
      }
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
}

void pg_event_store::add_rejected(const std::vector<model::rejected_record>& records) {
  if (records.empty()) return;
  try {
    if (!in_txn_) begin();
    params p;
    for (const auto& r : records) {
      p.clear();
      p.text_or_null(clean(r.source)).text_or_null(clean(r.reason)).text_or_null(clean(r.detail));
      if (r.data.empty())
        p.null();
      else
        p.bytes(r.data);
      p.int64_or_null(r.arrival_ns, r.arrival_ns != 0).text_or_null(clean(r.peer));
      conn_->run("insert_rejected", p);
      ++pending_.rejected;
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
}

void pg_event_store::add_alerts(const std::vector<model::alert>& alerts) {
  if (alerts.empty()) return;
  try {
    if (!in_txn_) begin();
    std::string entities, seqs;
    params p;
    for (const auto& a : alerts) {
      write_alert_entities(entities, a.entities);
      write_int_array(seqs, a.event_seqs);
      const std::string id = clean(a.id);
      p.clear();
      p.text(id)
          .text(clean(a.kind))
          .text(clean(a.severity))
          .text_or_null(clean(a.rule))
          .text_or_null(clean(a.title))
          .text_or_null(clean(a.source))
          .int64(a.time_ns)
          .text_or_null(clean(a.dedup_key))
          .text_or_null(entities)
          .text_or_null(seqs)
          .text_or_null(clean(a.details_json))
          .int64(util::wall_now_ns());
      conn_->run("upsert_alert", p);
      for (const auto& t : a.tactics) {
        p.clear();
        conn_->run("insert_tactic", p.text(id).text(clean(t)));
      }
      for (const auto& t : a.techniques) {
        p.clear();
        conn_->run("insert_technique", p.text(id).text(clean(t)));
      }
      if (!a.rule.empty() && (a.kind == "sigma" || a.kind == "correlation")) {
        p.clear();
        conn_->run(
            "upsert_rule",
            p.text(clean(a.rule)).text(a.kind).text_or_null(clean(a.title)).int64(a.time_ns));
      }
      ++pending_.alerts;
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
}

// The COPY data, then the entity and template upserts aggregated over the transaction.
std::size_t pg_event_store::write_staged() {
  auto& c = *conn_;
  if (!events_copy_.empty())
    c.copy_in(
        "COPY events(id, source, seq, time_ns, arrival_ns, time_from_log, facility, severity, "
        "host, app, procid, msgid, message, template_id, params, fields, entity_keys) "
        "FROM STDIN",
        events_copy_);
  // Entities before their links would be the natural order, but nothing enforces it (no
  // foreign keys: retention deletes both sides in bounded steps).
  if (entities_.size() > 0) {
    std::vector<std::uint32_t> order(entities_.size());
    std::iota(order.begin(), order.end(), 0u);
    // Key order, as every node sorts: two nodes upserting the same entities lock them in the
    // same order and never deadlock.
    std::sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
      return static_cast<std::int64_t>(entities_.key(a)) <
             static_cast<std::int64_t>(entities_.key(b));
    });
    array_text keys, uuids, types, values, firsts, lasts, counts;
    auto ents = entities_.entries();
    for (const auto i : order) {
      const auto& a = ents[i];
      keys.add_int(static_cast<std::int64_t>(entities_.key(i)));
      const auto uuid = format_uuid(a.id);
      uuids.add_text(std::string_view(uuid.data(), uuid.size()));
      types.add_text(model::to_string(a.type));
      values.add_text(a.value);
      firsts.add_int(a.first_ns);
      lasts.add_int(a.last_ns);
      counts.add_int(a.count);
    }
    c.run("upsert_entities", params()
                                 .text(keys.done())
                                 .text(uuids.done())
                                 .text(types.done())
                                 .text(values.done())
                                 .text(firsts.done())
                                 .text(lasts.done())
                                 .text(counts.done()));
    pending_.entities_upserted += entities_.size();
  }
  if (!links_copy_.empty())
    c.copy_in("COPY event_entities(entity_key, event_id) FROM STDIN", links_copy_);
  if (templates_.size() > 0) {
    std::vector<std::uint32_t> order(templates_.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [this](std::uint32_t a, std::uint32_t b) {
      return static_cast<std::int64_t>(templates_.key(a)) <
             static_cast<std::int64_t>(templates_.key(b));
    });
    array_text ids, sources, texts, firsts, lasts, counts;
    auto tpls = templates_.entries();
    for (const auto i : order) {
      const auto& a = tpls[i];
      ids.add_int(static_cast<std::int64_t>(templates_.key(i)));
      sources.add_text_or_null(a.source);
      texts.add_text_or_null(a.text);
      firsts.add_int(a.first_ns);
      lasts.add_int(a.last_ns);
      counts.add_int(a.count);
    }
    c.run("upsert_templates", params()
                                  .text(ids.done())
                                  .text(sources.done())
                                  .text(texts.done())
                                  .text(firsts.done())
                                  .text(lasts.done())
                                  .text(counts.done()));
    pending_.templates_upserted += templates_.size();
  }
  return pending_.events + pending_.rejected + pending_.alerts + pending_.entities_upserted +
         pending_.templates_upserted;
}

std::size_t pg_event_store::commit() {
  if (!in_txn_) return 0;
  std::size_t rows = 0;
  try {
    rows = write_staged();
    conn_->exec("COMMIT");
  } catch (...) {
    abort_transaction();
    throw;
  }
  in_txn_ = false;
  totals_.events += pending_.events;
  totals_.links += pending_.links;
  totals_.rejected += pending_.rejected;
  totals_.alerts += pending_.alerts;
  totals_.entities_upserted += pending_.entities_upserted;
  totals_.templates_upserted += pending_.templates_upserted;
  ++totals_.commits;
  pending_ = {};
  events_copy_.clear();
  links_copy_.clear();
  entities_.clear();
  templates_.clear();
  return rows;
}

void pg_event_store::save_state(const std::string& name, std::string_view bytes) {
  const bool own = !in_txn_;
  try {
    if (own) begin();
    conn_->run("save_state", params().text(clean(name)).bytes(bytes).int64(util::wall_now_ns()));
  } catch (...) {
    abort_transaction();
    throw;
  }
  if (own) commit();
}

void pg_event_store::add_tail_offsets(const model::tail_offsets& o) {
  try {
    if (!in_txn_) begin();
    const auto i64 = [](std::uint64_t v) { return static_cast<std::int64_t>(v); };
    const auto tailer = clean(o.tailer);
    if (o.saved_seq > 0)
      conn_->run("prune_tail_offsets", params().text(tailer).int64(i64(o.saved_seq)));
    params p;
    for (const auto& f : o.files) {
      p.clear();
      p.text(tailer)
          .int64(i64(f.dev))
          .int64(i64(f.ino))
          .int64(i64(f.fingerprint))
          .int64(f.fingerprint_len)
          .int64(i64(f.offset))
          .int64(i64(f.line))
          .int64(i64(o.seq));
      conn_->run("upsert_tail_offset", p);
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
}

std::vector<model::stored_tail_offset> pg_event_store::load_tail_offsets(
    const std::string& tailer) {
  const auto r = conn_->run("load_tail_offsets", params().text(clean(tailer)));
  std::vector<model::stored_tail_offset> out;
  for (int i = 0; i < r.rows(); ++i) {
    const auto u64 = [&](int c) { return static_cast<std::uint64_t>(r.int64(i, c)); };
    model::stored_tail_offset row;
    row.file.dev = u64(0);
    row.file.ino = u64(1);
    row.file.fingerprint = u64(2);
    row.file.fingerprint_len = static_cast<std::uint32_t>(u64(3));
    row.file.offset = u64(4);
    row.file.line = u64(5);
    row.seq = u64(6);
    out.push_back(row);
  }
  return out;
}

std::string pg_event_store::load_state(const std::string& name) {
  const auto r = conn_->run("load_state", params().text(clean(name)));
  return r.rows() > 0 ? r.bytes(0, 0) : std::string();
}

void pg_event_store::save_actor_snapshots(const std::string& node,
                                          const std::vector<actor_snapshot>& snapshots) {
  if (snapshots.empty()) return;
  const bool own = !in_txn_;
  try {
    if (own) begin();
    // Key order across the statements too (see save_snapshots).
    auto latest = latest_per_id(snapshots);
    std::sort(latest.begin(), latest.end(), [](const auto* a, const auto* b) {
      if (a->entity != b->entity) return a->entity;  // 'entity' < 'template'
      return static_cast<std::int64_t>(a->key) < static_cast<std::int64_t>(b->key);
    });
    const auto now = util::wall_now_ns();
    for (std::size_t at = 0; at < latest.size(); at += snapshots_per_statement) {
      array_text kinds, keys, bytes;
      const auto end = std::min(latest.size(), at + snapshots_per_statement);
      for (std::size_t i = at; i < end; ++i) {
        kinds.add_text(latest[i]->entity ? "entity" : "template");
        keys.add_int(static_cast<std::int64_t>(latest[i]->key));
        add_bytea(bytes, latest[i]->bytes);
      }
      conn_->run("save_snapshots", params()
                                       .text(clean(node))
                                       .int64(now)
                                       .text(kinds.done())
                                       .text(keys.done())
                                       .text(bytes.done()));
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
  if (own) commit();
}

std::vector<actor_snapshot> pg_event_store::load_actor_snapshots(const std::string& node) {
  const auto r = conn_->run("load_snapshots", params().text(clean(node)));
  std::vector<actor_snapshot> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i)
    out.push_back(
        {r.text(i, 0) == "entity", static_cast<std::uint64_t>(r.int64(i, 1)), r.bytes(i, 2)});
  return out;
}

void pg_event_store::add_graph_edges(const std::vector<model::edge_observation>& edges) {
  if (edges.empty()) return;
  const bool own = !in_txn_;
  try {
    if (own) begin();
    // Key order for the same reason as the entities.
    std::vector<const model::edge_observation*> sorted;
    for (const auto& e : edges) sorted.push_back(&e);
    std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
      const auto ka = static_cast<std::int64_t>(model::entity_key(a->from.id));
      const auto kb = static_cast<std::int64_t>(model::entity_key(b->from.id));
      if (ka != kb) return ka < kb;
      if (a->type != b->type) return model::to_string(a->type) < model::to_string(b->type);
      return static_cast<std::int64_t>(model::entity_key(a->to.id)) <
             static_cast<std::int64_t>(model::entity_key(b->to.id));
    });
    params p;
    for (const auto* e : sorted) {
      p.clear();
      p.int64(static_cast<std::int64_t>(model::entity_key(e->from.id)))
          .text(model::to_string(e->type))
          .int64(static_cast<std::int64_t>(model::entity_key(e->to.id)))
          .text(model::to_string(e->from.type))
          .text(clean(e->from.value))
          .text(model::to_string(e->to.type))
          .text(clean(e->to.value))
          .int64(e->first_ns)
          .int64(e->last_ns)
          .int64(static_cast<std::int64_t>(e->count));
      conn_->run("upsert_edge", p);
    }
  } catch (...) {
    abort_transaction();
    throw;
  }
  if (own) commit();
}

retention_counts pg_event_store::enforce_retention(const retention_policy& policy,
                                                   std::int64_t now_ns, std::size_t max_events) {
  retention_counts c;
  if (max_events == 0 || (policy.max_age_ns <= 0 && policy.alerts_max_age_ns <= 0)) return c;
  if (in_txn_) commit();
  const auto limit = static_cast<std::int64_t>(max_events);
  try {
    begin();
    if (policy.max_age_ns > 0) {
      const std::int64_t cutoff = now_ns - policy.max_age_ns;
      const auto d = conn_->run("delete_events", params().int64(cutoff).int64(limit));
      c.events = static_cast<std::uint64_t>(d.int64(0, 0));
      c.postings = static_cast<std::uint64_t>(d.int64(0, 1));  // links, here
      if (c.events == max_events) c.more = true;
      const auto r = conn_->run("delete_rejected", params().int64(cutoff).int64(limit));
      c.rejected = static_cast<std::uint64_t>(r.affected());
      if (c.rejected == max_events) c.more = true;
      const auto s = conn_->run("delete_snapshots", params().int64(cutoff).int64(limit));
      c.snapshots = static_cast<std::uint64_t>(s.affected());
      if (c.snapshots == max_events) c.more = true;
      if (c.events > 0) entity_sweep_due_ = true;
    }
    if (policy.alerts_max_age_ns > 0) {
      const auto r = conn_->run("delete_alerts",
                                params().int64(now_ns - policy.alerts_max_age_ns).int64(limit));
      c.alerts = static_cast<std::uint64_t>(r.int64(0, 0));
      if (c.alerts == max_events) c.more = true;
    }
    if (entity_sweep_due_) {
      const auto r = conn_->run("delete_entities", params().int64(limit));
      c.entities = static_cast<std::uint64_t>(r.affected());
      if (c.entities < max_events) entity_sweep_due_ = false;
    }
    conn_->exec("COMMIT");
    in_txn_ = false;
  } catch (...) {
    abort_transaction();
    throw;
  }
  totals_.deleted += c;
  return c;
}

}  // namespace seerflow::store::pg
