#pragma once
// "What did 198.51.100.23 do in the last hour?": events from the store by time, source,
// template, severity, entity and full-text search, newest first (or oldest first for a
// timeline). Reads through its own connection; never blocks the writer (WAL).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace seerflow::store {
class sqlite_db;
}  // namespace seerflow::store

namespace seerflow::query {

struct event_filter {
  std::optional<std::int64_t> since_ns, until_ns;  // event time in [since, until)
  std::string source, host, app;
  std::optional<std::uint64_t> template_id;
  std::optional<int> max_severity;  // syslog severity at most this (this or more severe)
  // An entity value as stored (canonical), optionally typed: "ip:10.0.0.1", "user:root".
  std::string entity;
  // FTS5 syntax ("failed AND password", "\"session opened\"", "pass*"). Events newer than the
  // index (its last seconds) are matched by case-insensitive substring of the words instead.
  std::string search;
  std::size_t limit = 100;  // 0: no limit
  bool oldest_first = false;
};

struct event_row {
  std::int64_t id = 0, time_ns = 0;
  std::optional<int> facility, severity;
  std::string source, host, app, procid, message, fields_json, template_text;
  std::optional<std::uint64_t> template_id;
};

// Calls `on_row` for each match in order until it returns false; returns the rows visited.
// Throws query_error for a bad search expression or entity type, store_error for I/O.
std::size_t for_each_event(const store::sqlite_db& db, const event_filter& f,
                           const std::function<bool(const event_row&)>& on_row);

}  // namespace seerflow::query
