#pragma once
// Retention: the SQL steps that delete the oldest stored rows, a bounded batch at a time, inside
// the writer's transaction (event_store::enforce_retention runs them between flushes, so ingest
// waits at most one small batch). Events go oldest event time first (the full-text index drops
// its parts on its own once their events are gone: text_index.hpp) and, once every event of a
// posting row is gone, their entity links;
// rejected records by arrival time, alerts by the time of their latest repeat; entities whose
// last event is older than the oldest stored event, by a sweep over their keys.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/store/sqlite_db.hpp"

namespace seerflow::store {

struct retention_policy {
  std::int64_t max_age_ns = 0;         // events older (event time) than this go; 0 = keep
  std::int64_t max_bytes = 0;          // pages in use above this: the oldest events go; 0 = no cap
  std::int64_t alerts_max_age_ns = 0;  // alerts whose latest repeat is older go; 0 = keep
  bool enabled() const { return max_age_ns > 0 || max_bytes > 0 || alerts_max_age_ns > 0; }
};

struct retention_counts {
  std::uint64_t events = 0, postings = 0, snapshots = 0, entities = 0, rejected = 0, alerts = 0,
                pages_vacuumed = 0;
  bool more = false;  // a step stopped at its bound: there is more to delete now
  std::uint64_t rows() const {
    return events + postings + snapshots + entities + rejected + alerts;
  }
  retention_counts& operator+=(const retention_counts& o) {
    events += o.events;
    postings += o.postings;
    snapshots += o.snapshots;
    entities += o.entities;
    rejected += o.rejected;
    alerts += o.alerts;
    pages_vacuumed += o.pages_vacuumed;
    return *this;
  }
};

class retention {
 public:
  // `index_file`: the full-text index's file ("" if none), counted in the size.
  explicit retention(sqlite_db& db, std::string index_file = {});

  // Bytes of the pages in use (the file minus its free pages) and of the full-text index's
  // file, as the size cap counts them.
  std::int64_t used_bytes();
  // Event and arrival time of the oldest stored event; false when there is none.
  bool oldest_event(std::int64_t& time_ns, std::int64_t& arrival_ns);
  // Estimated bytes per stored event (pages in use over the span of event ids).
  double bytes_per_event();

  // Deletes up to max events with time_ns < before_ns (INT64_MAX: any), oldest first. Returns
  // the events deleted.
  std::size_t delete_events(std::int64_t before_ns, std::size_t max, retention_counts& c);
  // Actor snapshots (cluster.snapshot_interval) last saved before `before_ns` (wall clock).
  std::size_t delete_snapshots(std::int64_t before_ns, std::size_t max, retention_counts& c);
  // Posting rows whose events all have ids below the oldest stored event's.
  std::size_t delete_stale_postings(std::size_t max, retention_counts& c);
  // The oldest rejected records (in id order) that arrived before `before_ns`.
  std::size_t delete_rejected(std::int64_t before_ns, std::size_t max, retention_counts& c);
  // Alerts whose latest repeat is before `before_ns`, with their tactics and techniques.
  std::size_t delete_alerts(std::int64_t before_ns, std::size_t max, retention_counts& c);
  // Looks at the next `max` entities after the sweep's cursor (wrapping round at the end) and
  // deletes those last seen before `before_ns` with their postings; their keys go to `deleted`.
  // Returns true when the sweep wrapped round (a whole pass is done).
  bool sweep_entities(std::int64_t before_ns, std::size_t max, std::vector<std::uint64_t>& deleted,
                      retention_counts& c);
  // Gives free pages beyond a small reserve back to the file system, up to max_pages (only on
  // databases created with auto_vacuum = INCREMENTAL; others reuse their free pages).
  std::size_t vacuum(std::size_t max_pages, retention_counts& c);

 private:
  sqlite_db& db_;
  std::string index_file_;
  bool incremental_;
  statement page_count_, freelist_count_, oldest_event_, id_span_;
  statement oldest_events_, delete_event_, old_snapshots_;
  statement stale_postings_, oldest_rejected_, old_alerts_;
  statement delete_alert_, delete_tactics_, delete_techniques_;
  statement entity_chunk_, delete_entity_, delete_entity_postings_;
  std::int64_t page_size_;
  std::int64_t entity_cursor_ = INT64_MIN;
  std::vector<std::int64_t> ids_;
  std::vector<std::string> alert_ids_;
};

}  // namespace seerflow::store
