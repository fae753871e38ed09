#pragma once
// The SQLite event store: the single writer of events, entities, templates and rejected
// records (one event_store per database file). add_* stage rows in an open write transaction;
// commit() makes them durable. A crash loses only what was staged since the last commit.
// Readers in other processes are never blocked (WAL).
//
// Entity links are the expensive part: ~3 per event, keyed by entity, so one row per link
// dirties one B-tree page per distinct entity per commit (measured: 30k events/s with 10k
// active entities, and at best ~0.7M link rows/s even sorted). Instead each event row carries
// its entity keys (append-only), and the links and entity counts are *folded* into
// entity_postings and entities every fold_links links or fold_interval_ms, whichever comes
// first: one UPDATE and about one posting write per entity per fold. The fold watermark is
// written in the same transaction, and links not yet folded are rebuilt from events on open,
// so a crash never loses or double-counts a link. Until its fold, a link is visible through
// the event_entities view (which reads events.entity_keys) but not yet in entities.event_count.
// A fold takes ~0.4 s with 10k active entities and ~1 s with 1M; memory is ~36 bytes per
// waiting link.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/model/alert.hpp"
#include "runtime/model/edge_observation.hpp"
#include "runtime/model/event.hpp"
#include "runtime/model/raw_record.hpp"
#include "runtime/store/event_writer.hpp"
#include "runtime/store/key_aggregator.hpp"
#include "runtime/store/key_set.hpp"
#include "runtime/store/retention.hpp"
#include "runtime/store/sqlite_db.hpp"
#include "runtime/store/text_indexer.hpp"

namespace seerflow::store {

struct store_options {
  std::string path;
  std::string synchronous = "normal";  // off, normal, full or extra (PRAGMA synchronous)
  int busy_timeout_ms = 5000;          // wait this long for another writer's lock
  std::size_t fold_links = 1 << 21;    // fold when this many links are waiting...
  // ...or the oldest has waited this long (15 s: a fold costs about one write per entity it
  // touches, so longer intervals fold more links per write; the store actor folds at once when
  // ingest pauses, so idle counts do not wait for it)
  std::int64_t fold_interval_ms = 15000;
  bool text_index = true;  // keep the full-text index (text_index.hpp)
  text_indexer_options text;
};

class event_store final : public event_writer {
 public:
  using stats = store_totals;

  // Opens (creating the file), refuses a file that is not a seerflow database or is newer than
  // this build, switches to WAL, migrates to the newest schema and folds links left unfolded
  // by a crash. Throws store_error.
  explicit event_store(store_options options);
  // Rolls back an open transaction (call commit() first to keep it), then folds what is
  // committed, ignoring errors: a later open finishes the fold.
  ~event_store() override;

  event_store(const event_store&) = delete;
  event_store& operator=(const event_store&) = delete;

  // Stage rows, beginning a write transaction if none is open. On failure the whole open
  // transaction (everything staged since the last commit) is rolled back and store_error thrown.
  void add_events(const std::vector<model::event>& events) override;
  void add_rejected(const std::vector<model::rejected_record>& records) override;
  // An alert whose id is already stored is a repeat inside its dedup window: its dedup_count
  // grows and last_time_ns moves, nothing else changes.
  void add_alerts(const std::vector<model::alert>& alerts) override;
  void add_tail_offsets(const model::tail_offsets& o) override;
  std::vector<model::stored_tail_offset> load_tail_offsets(const std::string& tailer) override;

  // Writes the new entities and the template upserts aggregated over everything staged since
  // the last commit, folds links if a fold is due, and commits. Returns the rows written
  // (events, rejected, entity and template upserts, postings); 0 when there was nothing to do.
  // On failure the transaction is rolled back, nothing of it is kept, and store_error thrown.
  std::size_t commit() override;
  // Commits what is staged, then folds every committed link now. Returns the rows written.
  std::size_t fold() override;

  // Model state by name (the miner of a source, ...): saved in the open transaction if there
  // is one, else in its own; the latest save of a name wins. load_state returns "" if none.
  void save_state(const std::string& name, std::string_view bytes) override;
  std::string load_state(const std::string& name) override;
  // Entity graph relations (count = occurrences since the last save of that edge): upserted
  // into graph_edges, in the open transaction if there is one, else in their own.
  void add_graph_edges(const std::vector<model::edge_observation>& edges) override;
  void save_actor_snapshots(const std::string& node,
                            const std::vector<actor_snapshot>& snapshots) override;
  std::vector<actor_snapshot> load_actor_snapshots(const std::string& node) override;
  // The full-text index follows the commits on its own thread (text_indexer.hpp). This adds
  // up to max_rows committed events to it now, on the caller's thread (commits what is staged
  // first), and drops the parts whose events are all gone. Returns the events indexed; 0 when
  // the index is current.
  std::size_t index_text(std::size_t max_rows) override;
  // Committed events not yet in the full-text index.
  std::int64_t unindexed_text() const override {
    return text_ ? known_max_id_ - text_->indexed_through() : 0;
  }
  text_indexer* text_indexer_for_tests() { return text_.get(); }
  // One bounded step of retention in a transaction of its own (commits what is staged first):
  // at most max_events events go (and as many rejected records and alerts), see retention.hpp.
  // `more` in the result: the step stopped at its bound. Entities are swept only between a fold
  // and the next event (their counts and last sighting are exact then).
  retention_counts enforce_retention(const retention_policy& policy, std::int64_t now_ns,
                                     std::size_t max_events) override;
  // Whether commit() would fold now; an idle caller can fold() on a timer when this is true.
  bool fold_due() const override;

  // Rows commit() would write now, not counting a fold.
  std::size_t pending_rows() const;
  // Committed or staged links not yet folded into entity_postings.
  std::size_t unfolded_links() const { return unfolded_.size(); }

  const stats& totals() const override { return totals_; }
  int schema_version() const override { return schema_version_; }
  std::string location() const override { return db_.path(); }
  const std::string& path() const { return db_.path(); }

 private:
  struct link {
    std::uint64_t key;
    std::int64_t event_id, time_ns;
  };
  struct new_entity {
    model::entity_type type{};
    model::uuid id{};
    std::string value;
    std::int64_t first_ns = 0, last_ns = 0;
  };
  struct fold_agg {
    std::int64_t first_ns = 0, last_ns = 0, count = 0, offset = 0;
    std::uint32_t index = 0;
  };
  struct posting_tail {
    std::int64_t row = 0;     // id of the entity's latest entity_postings row
    std::uint32_t bytes = 0;  // its event_ids length; 0: the entity has no postings
  };
  struct template_agg {
    std::string source, text;  // text empty: keep the stored one
    std::int64_t first_ns = 0, last_ns = 0, count = 0;
  };

  void begin();
  void stage_event(statement& s, int row, const model::event& e);
  std::size_t write_staged();
  std::size_t write_fold();
  void write_postings(std::uint64_t key, const std::int64_t* first, const std::int64_t* last);
  void load_unfolded(std::int64_t after_id);
  void after_commit(bool folded);
  void abort_transaction() noexcept;

  sqlite_db db_;
  store_options options_;
  int schema_version_ = 0;
  statement begin_, commit_, rollback_, max_id_;
  statement upsert_alert_, insert_tactic_, insert_technique_;
  statement insert_event_, insert_events_, insert_rejected_, insert_entity_, upsert_template_;
  statement merge_journal_, clear_journal_, save_state_, load_state_, upsert_graph_edge_;
  statement update_entity_, last_posting_, insert_posting_, extend_posting_, set_folded_;
  statement upsert_rule_, upsert_tail_offset_, prune_tail_offsets_, load_tail_offsets_;
  statement save_snapshot_, load_snapshots_;
  std::optional<retention> retention_;  // prepared after the migrations
  bool entity_sweep_due_ = false;
  bool postings_pending_ = false;  // the last posting cleanup stopped at its bound  // events were
                                   // deleted since the entity sweep last wrapped
  std::vector<std::uint64_t> deleted_entities_;

  bool in_txn_ = false;
  std::int64_t next_id_ = 1;       // id of the next event staged
  std::int64_t known_max_id_ = 0;  // every event up to here is committed and in unfolded_
  stats pending_{}, totals_{};
  key_aggregator<new_entity> new_entities_;  // first seen in the open transaction
  key_aggregator<template_agg> templates_;
  key_set known_entities_;  // rows known to be in the entities table
  std::vector<link> unfolded_;
  // Fold scratch: per-entity aggregates, each link's entity, entity order, grouped ids.
  key_aggregator<fold_agg> fold_aggs_;
  std::vector<std::uint32_t> fold_slot_, fold_order_;
  std::vector<std::int64_t> fold_ids_;
  std::int64_t unfolded_since_ns_ = 0;
  std::unique_ptr<text_indexer> text_;  // null without a full-text index
  key_aggregator<posting_tail> tails_;  // latest posting row per entity, as far as known
  bool tails_changed_ = false;  // by a fold in the open transaction  // monotonic time the oldest
                                // unfolded link waits from

  // Events go in several rows per INSERT: SQLite's per-statement work (opening cursors on the
  // table and its index, halting, resetting) then happens once per batch of rows.
  static constexpr int events_per_insert = 64;
  // Per-row scratch for a multi-row INSERT, reused so that the hot path does not allocate.
  struct row_scratch {
    std::string params, fields, keys;
  };
  std::array<row_scratch, events_per_insert> rows_;
  std::string posting_json_;
  std::vector<std::uint64_t> event_keys_;
};

}  // namespace seerflow::store
