#pragma once
// Delivers one sink's alerts over HTTP with libcurl's multi interface, on a thread of its own:
// the sink actor hands alerts over with submit() (a lock and a wake-up, never a wait) and the
// engine does the rest. Every delivery is first written to pending_deliveries (SQLite), then
// attempted; 2xx deletes it, 429/5xx/network errors reschedule it with exponential backoff and
// jitter, other 4xx and exhausted retries record it as failed. What is pending when the engine
// stops (or the process dies) is attempted again by the next engine of the same sink.
// Requests that CLI commands queue (a PagerDuty resolve after a false-positive verdict) are
// picked up by the periodic scan of the queue.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/config/settings.hpp"
#include "runtime/model/alert.hpp"

namespace seerflow::notify {

struct delivery_counters {
  std::atomic<std::uint64_t> submitted{0}, attempts{0}, delivered{0}, retried{0}, failed{0},
      queue_errors{0};
};

struct engine_options {
  std::string db_path;
  std::size_t max_in_flight = 16;
  std::int64_t scan_interval_ms = 500;  // how often the queue is read for due rows
  std::int64_t stop_grace_ms = 2000;    // on stop, in-flight attempts may finish this long
  std::uint64_t seed = 0x5eef10;        // jitter
};

class delivery_engine {
 public:
  // Throws store::store_error when the queue cannot be opened.
  delivery_engine(config::sink_settings sink, engine_options opts);
  // Stops: alerts submitted so far are queued in SQLite, in-flight attempts get the grace
  // period, whatever is left stays pending for the next start.
  ~delivery_engine();

  delivery_engine(const delivery_engine&) = delete;
  delivery_engine& operator=(const delivery_engine&) = delete;

  // Thread-safe; never blocks on I/O.
  void submit(model::alert a);

  const delivery_counters& counters() const { return counters_; }
  const config::sink_settings& sink() const { return sink_; }
  // Rows pending at the last scan (for inspection).
  std::int64_t pending() const { return pending_.load(); }

 private:
  struct impl;
  void run();

  config::sink_settings sink_;
  engine_options opts_;
  delivery_counters counters_;
  std::atomic<std::int64_t> pending_{0};
  std::unique_ptr<impl> impl_;
  std::mutex mtx_;
  std::vector<model::alert> inbox_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace seerflow::notify
