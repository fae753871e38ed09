#include "runtime/store/template_prune.hpp"

#include <algorithm>

#include "runtime/store/sqlite_db.hpp"
#include "runtime/store/store_error.hpp"

namespace seerflow::store {

prune_result prune_templates(sqlite_db& db, const prune_options& o) {
  prune_result out;
  db.exec("BEGIN IMMEDIATE");
  try {
    auto pick = db.prepare(
        "SELECT template_id, source, template, last_seen_ns, event_count FROM templates "
        "WHERE last_seen_ns < ?1 AND event_count <= ?2 ORDER BY last_seen_ns, template_id",
        false);
    pick.bind_int64(1, o.unseen_since_ns);
    pick.bind_int64(2, o.max_events.value_or(INT64_MAX));
    std::int64_t newest = INT64_MIN;
    while (pick.step()) {
      pruned_template t;
      t.template_id = static_cast<std::uint64_t>(pick.column_int64(0));
      if (!pick.column_is_null(1)) t.source = std::string(pick.column_text(1));
      if (!pick.column_is_null(2)) t.text = std::string(pick.column_text(2));
      t.last_seen_ns = pick.column_int64(3);
      t.event_count = pick.column_int64(4);
      newest = std::max(newest, t.last_seen_ns);
      out.templates.push_back(std::move(t));
    }
    if (!out.templates.empty()) {
      db.exec("CREATE TEMP TABLE IF NOT EXISTS pruned_templates(id INTEGER PRIMARY KEY)");
      db.exec("DELETE FROM temp.pruned_templates");
      auto add = db.prepare("INSERT INTO temp.pruned_templates(id) VALUES(?1)", false);
      for (const auto& t : out.templates) {
        add.bind_int64(1, static_cast<std::int64_t>(t.template_id));
        add.run();
      }
      // A template's events are no newer than its last sighting, so the time index bounds the
      // scan to events older than the cutoff.
      const char* where =
          " FROM events WHERE time_ns <= ?1 AND template_id IN (SELECT id FROM "
          "temp.pruned_templates)";
      if (o.dry_run) {
        auto count = db.prepare(std::string("SELECT count(*)") + where, false);
        count.bind_int64(1, newest);
        out.events_unlinked = count.step() ? count.column_int64(0) : 0;
      } else {
        auto unlink = db.prepare(
            std::string("UPDATE events SET template_id = NULL WHERE rowid IN (SELECT rowid") +
                where + ")",
            false);
        unlink.bind_int64(1, newest);
        unlink.run();
        out.events_unlinked = db.changes();
        db.exec(
            "DELETE FROM templates WHERE template_id IN (SELECT id FROM temp.pruned_templates)");
      }
      db.exec("DROP TABLE temp.pruned_templates");
    }
    db.exec(o.dry_run ? "ROLLBACK" : "COMMIT");
  } catch (...) {
    if (db.in_transaction()) {
      try {
        db.exec("ROLLBACK");
      } catch (...) {
        // The connection is closed by the caller; nothing was committed.
      }
    }
    throw;
  }
  return out;
}

}  // namespace seerflow::store
