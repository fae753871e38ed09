#include "runtime/store/retention.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <utility>

namespace seerflow::store {

namespace {

// Reads one integer row of a prepared query and leaves the statement ready for the next run.
bool read_int(statement& s, std::int64_t& out, int column = 0) {
  const bool row = s.step() && !s.column_is_null(column);
  if (row) out = s.column_int64(column);
  s.reset();
  return row;
}

}  // namespace

retention::retention(sqlite_db& db, std::string index_file)
    : db_(db),
      index_file_(std::move(index_file)),
      incremental_(db.query_int64("PRAGMA auto_vacuum") == 2),
      page_count_(db.prepare("PRAGMA page_count")),
      freelist_count_(db.prepare("PRAGMA freelist_count")),
      oldest_event_(db.prepare(
          "SELECT time_ns, coalesce(arrival_ns, 0) FROM events ORDER BY time_ns LIMIT 1")),
      id_span_(db.prepare("SELECT (SELECT min(id) FROM events), (SELECT max(id) FROM events)")),
      // Through the time index: the oldest first, whatever order they were stored in.
      oldest_events_(
          db.prepare("SELECT id FROM events WHERE time_ns < ?1 ORDER BY time_ns, id LIMIT ?2")),
      delete_event_(db.prepare("DELETE FROM events WHERE id = ?1")),
      // Not refreshed by any owner within the retention period: the actor has not changed for
      // that long, and a state older than the events kept is not worth restoring.
      old_snapshots_(db.prepare(
          "DELETE FROM actor_snapshots WHERE rowid IN (SELECT rowid FROM actor_snapshots WHERE "
          "saved_at_ns < ?1 ORDER BY saved_at_ns LIMIT ?2)")),
      stale_postings_(
          db.prepare("DELETE FROM entity_postings WHERE id IN (SELECT id FROM entity_postings "
                     "WHERE last_event_id < ?1 LIMIT ?2)")),
      // Only the oldest rows by id are looked at: a newer one in front ends the step, so the
      // step never scans the table.
      oldest_rejected_(db.prepare(
          "DELETE FROM rejected WHERE id IN (SELECT id FROM rejected ORDER BY id LIMIT ?2) "
          "AND coalesce(arrival_ns, 0) < ?1")),
      old_alerts_(db.prepare(
          "SELECT id FROM alerts WHERE time_ns < ?1 AND last_time_ns < ?1 ORDER BY time_ns "
          "LIMIT ?2")),
      delete_alert_(db.prepare("DELETE FROM alerts WHERE id = ?1")),
      delete_tactics_(db.prepare("DELETE FROM alert_tactics WHERE alert_id = ?1")),
      delete_techniques_(db.prepare("DELETE FROM alert_techniques WHERE alert_id = ?1")),
      entity_chunk_(
          db.prepare("SELECT entity_key, last_seen_ns FROM entities WHERE entity_key > ?1 "
                     "ORDER BY entity_key LIMIT ?2")),
      delete_entity_(db.prepare("DELETE FROM entities WHERE entity_key = ?1")),
      delete_entity_postings_(db.prepare("DELETE FROM entity_postings WHERE entity_key = ?1")),
      page_size_(db.query_int64("PRAGMA page_size")) {}

std::int64_t retention::used_bytes() {
  std::int64_t pages = 0, free = 0;
  read_int(page_count_, pages);
  read_int(freelist_count_, free);
  std::int64_t bytes = (pages - free) * page_size_;
  if (!index_file_.empty()) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(index_file_, ec);
    if (!ec) bytes += static_cast<std::int64_t>(size);
  }
  return bytes;
}

bool retention::oldest_event(std::int64_t& time_ns, std::int64_t& arrival_ns) {
  const bool row = oldest_event_.step();
  if (row) {
    time_ns = oldest_event_.column_int64(0);
    arrival_ns = oldest_event_.column_int64(1);
  }
  oldest_event_.reset();
  return row;
}

double retention::bytes_per_event() {
  std::int64_t lo = 0, hi = 0;
  const bool row = id_span_.step() && !id_span_.column_is_null(0);
  if (row) {
    lo = id_span_.column_int64(0);
    hi = id_span_.column_int64(1);
  }
  id_span_.reset();
  if (!row) return 0;
  return static_cast<double>(used_bytes()) / static_cast<double>(hi - lo + 1);
}

std::size_t retention::delete_events(std::int64_t before_ns, std::size_t max, retention_counts& c) {
  if (max == 0) return 0;
  ids_.clear();
  oldest_events_.bind_int64(1, before_ns);
  oldest_events_.bind_int64(2, static_cast<std::int64_t>(max));
  try {
    while (oldest_events_.step()) ids_.push_back(oldest_events_.column_int64(0));
  } catch (...) {
    oldest_events_.reset();
    throw;
  }
  oldest_events_.reset();
  for (const std::int64_t id : ids_) {
    delete_event_.bind_int64(1, id);
    delete_event_.run();
  }
  c.events += ids_.size();
  return ids_.size();
}

std::size_t retention::delete_snapshots(std::int64_t before_ns, std::size_t max,
                                        retention_counts& c) {
  old_snapshots_.bind_int64(1, before_ns);
  old_snapshots_.bind_int64(2, static_cast<std::int64_t>(max));
  old_snapshots_.run();
  const auto n = static_cast<std::size_t>(db_.changes());
  c.snapshots += n;
  return n;
}

std::size_t retention::delete_stale_postings(std::size_t max, retention_counts& c) {
  std::int64_t oldest_id = 0;
  const auto span_row = id_span_.step();
  // No event left: every posting is stale.
  oldest_id = span_row && !id_span_.column_is_null(0) ? id_span_.column_int64(0)
                                                      : std::numeric_limits<std::int64_t>::max();
  id_span_.reset();
  stale_postings_.bind_int64(1, oldest_id);
  stale_postings_.bind_int64(2, static_cast<std::int64_t>(max));
  stale_postings_.run();
  const auto n = static_cast<std::size_t>(db_.changes());
  c.postings += n;
  return n;
}

std::size_t retention::delete_rejected(std::int64_t before_ns, std::size_t max,
                                       retention_counts& c) {
  oldest_rejected_.bind_int64(1, before_ns);
  oldest_rejected_.bind_int64(2, static_cast<std::int64_t>(max));
  oldest_rejected_.run();
  const auto n = static_cast<std::size_t>(db_.changes());
  c.rejected += n;
  return n;
}

std::size_t retention::delete_alerts(std::int64_t before_ns, std::size_t max, retention_counts& c) {
  alert_ids_.clear();
  old_alerts_.bind_int64(1, before_ns);
  old_alerts_.bind_int64(2, static_cast<std::int64_t>(max));
  try {
    while (old_alerts_.step()) alert_ids_.emplace_back(old_alerts_.column_text(0));
  } catch (...) {
    old_alerts_.reset();
    throw;
  }
  old_alerts_.reset();
  for (const auto& id : alert_ids_) {
    for (statement* s : {&delete_tactics_, &delete_techniques_, &delete_alert_}) {
      s->bind_text(1, id, lifetime::borrowed);
      s->run();
    }
  }
  c.alerts += alert_ids_.size();
  return alert_ids_.size();
}

bool retention::sweep_entities(std::int64_t before_ns, std::size_t max,
                               std::vector<std::uint64_t>& deleted, retention_counts& c) {
  ids_.clear();
  std::size_t seen = 0;
  entity_chunk_.bind_int64(1, entity_cursor_);
  entity_chunk_.bind_int64(2, static_cast<std::int64_t>(max));
  try {
    while (entity_chunk_.step()) {
      ++seen;
      entity_cursor_ = entity_chunk_.column_int64(0);
      if (entity_chunk_.column_int64(1) < before_ns) ids_.push_back(entity_cursor_);
    }
  } catch (...) {
    entity_chunk_.reset();
    throw;
  }
  entity_chunk_.reset();
  for (const std::int64_t key : ids_) {
    delete_entity_postings_.bind_int64(1, key);
    delete_entity_postings_.run();
    c.postings += static_cast<std::uint64_t>(db_.changes());
    delete_entity_.bind_int64(1, key);
    delete_entity_.run();
    deleted.push_back(static_cast<std::uint64_t>(key));
  }
  c.entities += ids_.size();
  const bool wrapped = seen < max;
  if (wrapped) entity_cursor_ = std::numeric_limits<std::int64_t>::min();
  return wrapped;
}

std::size_t retention::vacuum(std::size_t max_pages, retention_counts& c) {
  if (!incremental_) return 0;
  std::int64_t pages = 0, free = 0;
  read_int(page_count_, pages);
  read_int(freelist_count_, free);
  // A reserve of free pages stays: the next inserts would only grow the file again.
  const std::int64_t reserve = std::max<std::int64_t>(32, pages / 50);
  if (free <= reserve) return 0;
  const auto n = std::min<std::int64_t>(free - reserve, static_cast<std::int64_t>(max_pages));
  // PRAGMA arguments cannot be bound; n is a number computed here.
  db_.exec("PRAGMA incremental_vacuum(" + std::to_string(n) + ")");
  c.pages_vacuumed += static_cast<std::uint64_t>(n);
  return static_cast<std::size_t>(n);
}

}  // namespace seerflow::store
