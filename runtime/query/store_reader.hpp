#pragma once
// What `seerflow query`, `seerflow export`, `seerflow templates prune` and the console read the
// store through, whatever database is behind it: SQLite (sqlite_reader) or PostgreSQL
// (runtime/store/pg/pg_reader). Every backend answers the same filter with the same rows in the
// same order; tests/unit/query/backend_test.cpp runs one suite against both.
#include <cstdint>
#include <functional>
#include <string>

#include "runtime/query/alert_query.hpp"
#include "runtime/query/event_query.hpp"
#include "runtime/query/graph_query.hpp"
#include "runtime/query/rule_query.hpp"
#include "runtime/query/template_query.hpp"
#include "runtime/store/template_prune.hpp"

namespace seerflow::query {

struct entity_row {
  std::uint64_t entity_key = 0;
  std::string uuid, type, value;
  std::int64_t first_seen_ns = 0, last_seen_ns = 0, event_count = 0;
};

template <class Row>
using row_callback = std::function<bool(const Row&)>;

class store_reader {
 public:
  virtual ~store_reader() = default;

  // Each calls on_row per match, in order, until it returns false; returns the rows visited.
  // Throws query_error for a query the store cannot answer as asked (a bad search expression,
  // an unknown severity), store_error for I/O.
  virtual std::size_t events(const event_filter& f, const row_callback<event_row>& on_row) = 0;
  virtual std::size_t alerts(const alert_filter& f, const row_callback<alert_row>& on_row) = 0;
  virtual std::size_t templates(const template_filter& f,
                                const row_callback<template_row>& on_row) = 0;
  virtual std::size_t rules(const rule_filter& f, const row_callback<rule_row>& on_row) = 0;
  virtual std::size_t graph_edges(const graph_filter& f,
                                  const row_callback<graph_edge_row>& on_row) = 0;
  // Entities whose value contains `text` (a plain substring, never a pattern), the most events
  // first.
  virtual std::size_t entities(const std::string& text, std::size_t limit,
                               const row_callback<entity_row>& on_row) = 0;

  // The one write the CLI makes (`seerflow templates prune`), in a transaction of its own.
  virtual store::prune_result prune_templates(const store::prune_options& o) = 0;

  // What it reads, for messages: a file path or a URL without its password.
  virtual std::string location() const = 0;
};

}  // namespace seerflow::query
