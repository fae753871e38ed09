#pragma once
// "Which templates are new today?": templates by source and first sighting, the most frequent
// first, or the newest first.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace seerflow::store {
class sqlite_db;
}  // namespace seerflow::store

namespace seerflow::query {

struct template_filter {
  std::string source;
  std::optional<std::int64_t> first_seen_since_ns;  // only templates first seen from then on
  std::size_t limit = 100;
  bool newest_first = false;  // default: most events first
};

struct template_row {
  std::uint64_t template_id = 0;
  std::string source, text;
  std::int64_t first_seen_ns = 0, last_seen_ns = 0, event_count = 0;
};

std::size_t for_each_template(const store::sqlite_db& db, const template_filter& f,
                              const std::function<bool(const template_row&)>& on_row);

}  // namespace seerflow::query
