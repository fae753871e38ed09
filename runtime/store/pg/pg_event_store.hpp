#pragma once
// The PostgreSQL event writer (storage.backend: postgresql): the same rows as the SQLite
// event_store, written per flush in one transaction: events and their entity links by COPY,
// entities and templates aggregated over the flush and upserted in one statement each (from
// arrays bound as parameters, in key order, so that nodes writing one database at once do not
// deadlock), alerts, rule state and graph edges through prepared statements.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/store/event_writer.hpp"
#include "runtime/store/key_aggregator.hpp"

namespace seerflow::store::pg {

class connection;

struct pg_options {
  std::string url;  // libpq URI
};

class pg_event_store final : public event_writer {
 public:
  // Connects, refuses a newer or foreign database, migrates. Throws store_error.
  explicit pg_event_store(pg_options options);
  ~pg_event_store() override;

  void add_events(const std::vector<model::event>& events) override;
  void add_rejected(const std::vector<model::rejected_record>& records) override;
  void add_alerts(const std::vector<model::alert>& alerts) override;
  void add_tail_offsets(const model::tail_offsets& o) override;
  std::vector<model::stored_tail_offset> load_tail_offsets(const std::string& tailer) override;
  std::size_t commit() override;

  // Links and the full-text index are written with the events: nothing is ever deferred.
  bool fold_due() const override { return false; }
  std::size_t fold() override { return commit(); }
  std::size_t index_text(std::size_t) override { return 0; }
  std::int64_t unindexed_text() const override { return 0; }

  void save_state(const std::string& name, std::string_view bytes) override;
  std::string load_state(const std::string& name) override;
  void add_graph_edges(const std::vector<model::edge_observation>& edges) override;
  // One statement per 500 snapshots (arrays bound as parameters, in key order).
  void save_actor_snapshots(const std::string& node,
                            const std::vector<actor_snapshot>& snapshots) override;
  std::vector<actor_snapshot> load_actor_snapshots(const std::string& node) override;
  // Age limits only (storage.retention.max_bytes is refused for PostgreSQL by the config).
  retention_counts enforce_retention(const retention_policy& policy, std::int64_t now_ns,
                                     std::size_t max_events) override;

  const store_totals& totals() const override { return totals_; }
  int schema_version() const override { return schema_version_; }
  std::string location() const override;

 private:
  struct entity_agg {
    model::entity_type type{};
    model::uuid id{};
    std::string value;
    std::int64_t first_ns = 0, last_ns = 0, count = 0;
  };
  struct template_agg {
    std::string source, text;
    std::int64_t first_ns = 0, last_ns = 0, count = 0;
  };

  void begin();
  void abort_transaction() noexcept;
  std::int64_t next_event_id();
  std::size_t write_staged();

  std::unique_ptr<connection> conn_;
  int schema_version_ = 0;
  bool in_txn_ = false;
  std::int64_t id_next_ = 0, id_end_ = 0;  // the reserved block of event ids: [next, end)
  std::string events_copy_, links_copy_;   // COPY data of the open transaction
  key_aggregator<entity_agg> entities_;
  key_aggregator<template_agg> templates_;
  store_totals pending_{}, totals_{};
  bool entity_sweep_due_ = false;
};

}  // namespace seerflow::store::pg
