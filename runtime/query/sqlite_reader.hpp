#pragma once
// The SQLite store_reader: the query functions over one connection of its own (WAL: it never
// blocks the writer).
#include <string>

#include "runtime/query/store_reader.hpp"
#include "runtime/store/sqlite_db.hpp"

namespace seerflow::query {

class sqlite_reader final : public store_reader {
 public:
  explicit sqlite_reader(store::sqlite_db db) : db_(std::move(db)) {}

  std::size_t events(const event_filter& f, const row_callback<event_row>& on_row) override;
  std::size_t alerts(const alert_filter& f, const row_callback<alert_row>& on_row) override;
  std::size_t templates(const template_filter& f,
                        const row_callback<template_row>& on_row) override;
  std::size_t rules(const rule_filter& f, const row_callback<rule_row>& on_row) override;
  std::size_t graph_edges(const graph_filter& f,
                          const row_callback<graph_edge_row>& on_row) override;
  std::size_t entities(const std::string& text, std::size_t limit,
                       const row_callback<entity_row>& on_row) override;
  store::prune_result prune_templates(const store::prune_options& o) override;
  std::string location() const override { return db_.path(); }

  store::sqlite_db& db() { return db_; }

 private:
  store::sqlite_db db_;
};

}  // namespace seerflow::query
