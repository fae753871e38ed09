#pragma once
// The SQLite side of alert delivery (tables of migration 4): the queue of pending deliveries
// per sink, their outcomes, and verdicts. Each user holds its own connection: the delivery
// engine's thread, and the `seerflow feedback` command beside a running agent. Throws
// store::store_error.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/model/alert.hpp"
#include "runtime/store/sqlite_db.hpp"

namespace seerflow::notify {

struct pending_delivery {
  std::int64_t id = 0;
  std::string sink, alert_id, action, alert_json;
  int attempts = 0;
  std::int64_t next_attempt_ns = 0;
};

class delivery_queue {
 public:
  // Opens (creating) the database, switches it to WAL and migrates it, as the store does, so
  // either may open it first.
  explicit delivery_queue(const std::string& db_path);

  // Queues `action` of `a` for `sink`, due at once. A second request for the same sink, alert
  // and action is ignored (returns false): one alert is delivered once per sink.
  bool add(const std::string& sink, const model::alert& a, const std::string& action,
           std::int64_t now_ns);
  // Several in one transaction (the engine's inbox).
  std::size_t add_all(const std::string& sink, const std::vector<model::alert>& alerts,
                      const std::string& action, std::int64_t now_ns);

  // Due rows of `sink` (next_attempt_ns <= now_ns), oldest first.
  std::vector<pending_delivery> due(const std::string& sink, std::int64_t now_ns,
                                    std::size_t limit);
  // When the earliest pending row of `sink` is due; nullopt when none is pending.
  std::optional<std::int64_t> next_due(const std::string& sink);
  std::int64_t pending_count(const std::string& sink);

  void reschedule(std::int64_t id, int attempts, std::int64_t next_attempt_ns,
                  const std::string& error);
  // Removes the row and records its outcome ("delivered" or "failed") in alert_deliveries.
  void finish(const pending_delivery& d, const std::string& sink_type, const std::string& status,
              int attempts, long http_status, const std::string& detail, std::int64_t now_ns);

  // Sinks of `sink_type` that were delivered `action` of `alert_id`.
  std::vector<std::string> delivered_sinks(const std::string& alert_id,
                                           const std::string& sink_type, const std::string& action);

  // Records a verdict (tp, fp) with an optional note; false when no such alert is stored.
  bool record_verdict(const std::string& alert_id, const std::string& verdict,
                      const std::string& note, std::int64_t now_ns);

  store::sqlite_db& db() { return db_; }

 private:
  store::sqlite_db db_;
  store::statement insert_, due_, next_due_, count_, reschedule_, delete_, outcome_;
};

}  // namespace seerflow::notify
