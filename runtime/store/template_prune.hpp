#pragma once
// `seerflow templates prune`: removes templates unseen since a cutoff from the store, with the
// links to them (events keep their rows and text; their template_id is cleared). It runs in one
// write transaction beside a running agent, whose next write simply waits for it; a template
// seen again afterwards is stored again as a new one.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace seerflow::store {

class sqlite_db;

struct prune_options {
  std::int64_t unseen_since_ns = 0;        // templates last seen before this go
  std::optional<std::int64_t> max_events;  // ...and only those with at most this many events
  bool dry_run = false;                    // report, change nothing
};

struct pruned_template {
  std::uint64_t template_id = 0;
  std::string source, text;
  std::int64_t last_seen_ns = 0, event_count = 0;
};

struct prune_result {
  std::vector<pruned_template> templates;  // oldest sighting first
  std::int64_t events_unlinked = 0;        // stored events whose template_id was cleared
};

// Throws store_error; on failure nothing is changed.
prune_result prune_templates(sqlite_db& db, const prune_options& options);

}  // namespace seerflow::store
