#pragma once
// What the store actor writes through, whatever database is behind it: SQLite (event_store,
// the default) or PostgreSQL (pg/pg_event_store). Calls are per batch, never per event, so the
// virtual call costs nothing measurable; the SQLite class is final, so code that holds it by
// its own type (the benchmarks) calls it directly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model/alert.hpp"
#include "runtime/model/edge_observation.hpp"
#include "runtime/model/event.hpp"
#include "runtime/model/raw_record.hpp"
#include "runtime/model/tail_offsets.hpp"
#include "runtime/store/actor_snapshot.hpp"
#include "runtime/store/retention.hpp"

namespace seerflow::store {

// Committed rows since a writer was opened.
struct store_totals {
  std::uint64_t events = 0, links = 0, entities_upserted = 0, templates_upserted = 0, rejected = 0,
                alerts = 0, commits = 0, folds = 0, postings_written = 0;
  retention_counts deleted;  // by retention
};

class event_writer {
 public:
  virtual ~event_writer() = default;

  // Stage rows in an open write transaction (beginning one if none is open); commit() makes
  // them durable in one transaction. On failure everything staged since the last commit is
  // rolled back and store_error thrown.
  virtual void add_events(const std::vector<model::event>& events) = 0;
  virtual void add_rejected(const std::vector<model::rejected_record>& records) = 0;
  // An alert whose id is already stored is a repeat: its dedup_count grows, last_time_ns moves.
  virtual void add_alerts(const std::vector<model::alert>& alerts) = 0;
  // A file tailer's read positions at the end of a batch (model/tail_offsets.hpp), staged like
  // the rows so that they commit with the batch's events or not at all: one row per tailer and
  // file, replaced by later batches; the tailer's rows up to o.saved_seq are deleted.
  virtual void add_tail_offsets(const model::tail_offsets& o) = 0;
  // The committed rows of a tailer (any order).
  virtual std::vector<model::stored_tail_offset> load_tail_offsets(const std::string& tailer) = 0;
  // Returns the rows written; 0 when there was nothing to do.
  virtual std::size_t commit() = 0;

  // Deferred work of the backend (SQLite folds entity links and fills its full-text index
  // behind the writes; PostgreSQL has none): an idle caller runs it when due.
  virtual bool fold_due() const = 0;
  virtual std::size_t fold() = 0;
  virtual std::size_t index_text(std::size_t max_rows) = 0;
  virtual std::int64_t unindexed_text() const = 0;

  // Model state by name; the latest save of a name wins; load_state returns "" if none.
  virtual void save_state(const std::string& name, std::string_view bytes) = 0;
  virtual std::string load_state(const std::string& name) = 0;
  virtual void add_graph_edges(const std::vector<model::edge_observation>& edges) = 0;

  // Snapshots of entity and template actors, one row per (kind, key) tagged with the node that
  // wrote it (the owner of the id then): the latest write of an id wins, in the open
  // transaction if there is one, else in its own. load_actor_snapshots reads those a node wrote
  // last (the survivors of a node that died take its ids over from them).
  virtual void save_actor_snapshots(const std::string& node,
                                    const std::vector<actor_snapshot>& snapshots) = 0;
  virtual std::vector<actor_snapshot> load_actor_snapshots(const std::string& node) = 0;

  // One bounded step of retention in a transaction of its own (commits what is staged first).
  virtual retention_counts enforce_retention(const retention_policy& policy, std::int64_t now_ns,
                                             std::size_t max_events) = 0;

  virtual const store_totals& totals() const = 0;
  virtual int schema_version() const = 0;
  // Where it writes, for logs: a file path, or a PostgreSQL URL without its password.
  virtual std::string location() const = 0;
};

}  // namespace seerflow::store
