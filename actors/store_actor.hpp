#pragma once
// The store actor: the single writer of the store (SQLite, or PostgreSQL with
// storage.backend: postgresql), on its own thread (database calls block). It buffers
// event batches and writes them in one transaction when the buffer reaches storage.flush_rows
// rows, when its mailbox runs empty (group commit), or storage.flush after its first row. Batches
// keep their credit tokens until committed, so a slow or failing disk slows the receivers instead
// of filling memory; a failed commit is retried with backoff and nothing is dropped.
// Retention (storage.retention.*) runs here too, in bounded steps after a write and on the
// maintenance tick, so the single writer never competes with itself for the database lock.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "actors/actors.hpp"
#include "runtime/store/event_writer.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct store_actor_state {
  system::node_context* ctx = nullptr;
  std::unique_ptr<store::event_writer> db;  // SQLite or PostgreSQL (storage.backend)
  std::vector<event_batch> buffer;
  std::size_t buffered_rows = 0;
  std::uint64_t generation = 0;  // of the buffer; a flush timer only flushes its own generation
  bool timer_armed = false;
  int consecutive_failures = 0;
  std::uint64_t events_written = 0;
  std::uint64_t rejected_written = 0;
  std::uint64_t alerts_written = 0;
  std::vector<model::alert> pending_alerts;              // written with the next flush
  std::vector<store::actor_snapshot> pending_snapshots;  // cluster: likewise
  std::uint64_t commits = 0;
  std::uint64_t events_at_last_sweep = 0;  // no write since the last tick: fold now
  store::retention_policy retention;
  store::retention_counts retention_unlogged;    // deleted since the last retention log line
  std::int64_t retention_logged_ns = 0;          // monotonic time of that line
  metrics::counter* retention_counters[6] = {};  // events, postings, entities, ...
  metrics::counter* vacuum_counter = nullptr;
  metrics::counter* events_counter = nullptr;
  metrics::counter* failures_counter = nullptr;
  metrics::counter* snapshots_counter = nullptr;  // actor snapshots written (cluster)
  std::string node_id;                            // what actor snapshots are written as
  static inline const char* name = "store";
};

store_actor::behavior_type store_actor_impl(store_actor::stateful_pointer<store_actor_state> self,
                                            system::node_context* ctx);

}  // namespace seerflow::actors
