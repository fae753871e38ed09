#include "runtime/notify/delivery_queue.hpp"

#include "runtime/notify/alert_json.hpp"
#include "runtime/store/migrations.hpp"
#include "runtime/store/store_error.hpp"

namespace seerflow::notify {

namespace {

store::sqlite_db open_queue_db(const std::string& path) {
  if (path.empty()) throw store::store_error(SQLITE_MISUSE, "storage.path is empty");
  store::sqlite_db db(path, store::sqlite_db::default_flags, 10000);
  store::check_schema(db);
  // Same layout as the event store's (event_store.cpp), whichever opens a new file first.
  db.exec("PRAGMA page_size = 8192");
  if (db.query_text("PRAGMA journal_mode = WAL") != "wal")
    throw store::store_error(SQLITE_ERROR, "database " + path + " cannot use write-ahead logging");
  db.exec("PRAGMA synchronous = NORMAL");
  store::migrate(db);
  return db;
}

}  // namespace

delivery_queue::delivery_queue(const std::string& db_path) : db_(open_queue_db(db_path)) {
  insert_ = db_.prepare(
      "INSERT INTO pending_deliveries(sink, alert_id, action, alert, next_attempt_ns, "
      "created_ns) VALUES(?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT DO NOTHING");
  due_ = db_.prepare(
      "SELECT id, sink, alert_id, action, alert, attempts, next_attempt_ns FROM "
      "pending_deliveries WHERE sink = ?1 AND next_attempt_ns <= ?2 ORDER BY next_attempt_ns, id "
      "LIMIT ?3");
  next_due_ = db_.prepare("SELECT min(next_attempt_ns) FROM pending_deliveries WHERE sink = ?1");
  count_ = db_.prepare("SELECT count(*) FROM pending_deliveries WHERE sink = ?1");
  reschedule_ = db_.prepare(
      "UPDATE pending_deliveries SET attempts = ?2, next_attempt_ns = ?3, last_error = ?4 "
      "WHERE id = ?1");
  delete_ = db_.prepare("DELETE FROM pending_deliveries WHERE id = ?1");
  outcome_ = db_.prepare(
      "INSERT INTO alert_deliveries(sink, sink_type, alert_id, action, status, attempts, "
      "http_status, detail, at_ns) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT(sink, alert_id, action) DO UPDATE SET status = excluded.status, "
      "attempts = excluded.attempts, http_status = excluded.http_status, "
      "detail = excluded.detail, at_ns = excluded.at_ns");
}

bool delivery_queue::add(const std::string& sink, const model::alert& a, const std::string& action,
                         std::int64_t now_ns) {
  insert_.bind_text(1, sink);
  insert_.bind_text(2, a.id);
  insert_.bind_text(3, action);
  insert_.bind_text(
      4, alert_to_json(a).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  insert_.bind_int64(5, now_ns);
  insert_.run();
  return db_.changes() > 0;
}

std::size_t delivery_queue::add_all(const std::string& sink,
                                    const std::vector<model::alert>& alerts,
                                    const std::string& action, std::int64_t now_ns) {
  std::size_t added = 0;
  db_.exec("BEGIN IMMEDIATE");
  try {
    for (const auto& a : alerts) added += add(sink, a, action, now_ns) ? 1 : 0;
    db_.exec("COMMIT");
  } catch (...) {
    if (db_.in_transaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return added;
}

std::vector<pending_delivery> delivery_queue::due(const std::string& sink, std::int64_t now_ns,
                                                  std::size_t limit) {
  std::vector<pending_delivery> out;
  due_.bind_text(1, sink);
  due_.bind_int64(2, now_ns);
  due_.bind_int64(3, static_cast<std::int64_t>(limit));
  while (due_.step()) {
    pending_delivery d;
    d.id = due_.column_int64(0);
    d.sink = due_.column_text(1);
    d.alert_id = due_.column_text(2);
    d.action = due_.column_text(3);
    d.alert_json = due_.column_text(4);
    d.attempts = static_cast<int>(due_.column_int64(5));
    d.next_attempt_ns = due_.column_int64(6);
    out.push_back(std::move(d));
  }
  due_.reset();
  return out;
}

std::optional<std::int64_t> delivery_queue::next_due(const std::string& sink) {
  next_due_.bind_text(1, sink);
  std::optional<std::int64_t> out;
  if (next_due_.step() && !next_due_.column_is_null(0)) out = next_due_.column_int64(0);
  next_due_.reset();
  return out;
}

std::int64_t delivery_queue::pending_count(const std::string& sink) {
  count_.bind_text(1, sink);
  std::int64_t n = 0;
  if (count_.step()) n = count_.column_int64(0);
  count_.reset();
  return n;
}

void delivery_queue::reschedule(std::int64_t id, int attempts, std::int64_t next_attempt_ns,
                                const std::string& error) {
  reschedule_.bind_int64(1, id);
  reschedule_.bind_int64(2, attempts);
  reschedule_.bind_int64(3, next_attempt_ns);
  reschedule_.bind_text(4, error);
  reschedule_.run();
}

void delivery_queue::finish(const pending_delivery& d, const std::string& sink_type,
                            const std::string& status, int attempts, long http_status,
                            const std::string& detail, std::int64_t now_ns) {
  db_.exec("BEGIN IMMEDIATE");
  try {
    delete_.bind_int64(1, d.id);
    delete_.run();
    outcome_.bind_text(1, d.sink);
    outcome_.bind_text(2, sink_type);
    outcome_.bind_text(3, d.alert_id);
    outcome_.bind_text(4, d.action);
    outcome_.bind_text(5, status);
    outcome_.bind_int64(6, attempts);
    if (http_status > 0)
      outcome_.bind_int64(7, http_status);
    else
      outcome_.bind_null(7);
    outcome_.bind_text(8, detail);
    outcome_.bind_int64(9, now_ns);
    outcome_.run();
    db_.exec("COMMIT");
  } catch (...) {
    if (db_.in_transaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::vector<std::string> delivery_queue::delivered_sinks(const std::string& alert_id,
                                                         const std::string& sink_type,
                                                         const std::string& action) {
  auto q = db_.prepare(
      "SELECT sink FROM alert_deliveries WHERE alert_id = ?1 AND sink_type = ?2 AND action = ?3 "
      "AND status = 'delivered' ORDER BY sink",
      false);
  q.bind_text(1, alert_id);
  q.bind_text(2, sink_type);
  q.bind_text(3, action);
  std::vector<std::string> out;
  while (q.step()) out.emplace_back(q.column_text(0));
  return out;
}

bool delivery_queue::record_verdict(const std::string& alert_id, const std::string& verdict,
                                    const std::string& note, std::int64_t now_ns) {
  db_.exec("BEGIN IMMEDIATE");
  try {
    auto upd = db_.prepare("UPDATE alerts SET verdict = ?2 WHERE id = ?1", false);
    upd.bind_text(1, alert_id);
    upd.bind_text(2, verdict);
    upd.run();
    if (db_.changes() == 0) {
      db_.exec("ROLLBACK");
      return false;
    }
    auto ins = db_.prepare(
        "INSERT INTO alert_verdicts(alert_id, verdict, note, at_ns) VALUES(?1, ?2, ?3, ?4)", false);
    ins.bind_text(1, alert_id);
    ins.bind_text(2, verdict);
    if (note.empty())
      ins.bind_null(3);
    else
      ins.bind_text(3, note);
    ins.bind_int64(4, now_ns);
    ins.run();
    db_.exec("COMMIT");
  } catch (...) {
    if (db_.in_transaction()) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return true;
}

}  // namespace seerflow::notify
