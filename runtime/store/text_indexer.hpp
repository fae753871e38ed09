#pragma once
// Keeps the full-text index (text_index.hpp) up with the store from a thread of its own. The
// store's writer calls notify() after each commit; the thread indexes in chunks and drops the
// parts retention emptied.
//
// Indexing takes the CPU ingest leaves over: the thread runs at idle scheduling priority
// (SCHED_IDLE) while the index lags by less than max_lag events, so a machine busy with ingest
// and detection spends nothing on it, and searches cover the lag by substring. Past max_lag it
// asks for normal priority and takes its share; when the process may not raise its priority
// again (an unprivileged process whose RLIMIT_NICE is below 20: the systemd unit and the compose
// files set it), it says so once and stays idle-priority.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/store/text_index.hpp"

namespace seerflow::store {

struct text_indexer_options {
  text_index_options index;
  std::size_t chunk_rows = 65536;        // events per indexing transaction
  std::int64_t max_lag = 2'000'000;      // past this lag, index at normal priority
  bool idle_priority = true;             // below max_lag, run at SCHED_IDLE
  bool background = false;               // true: a thread follows the commits (the agent's store);
                                         // false: only index_now() indexes (tests, tools)
  std::chrono::milliseconds poll{1000};  // look for work (and expired parts) this often
};

class text_indexer {
 public:
  // Opens the index (text_index: throws store_error) and starts the thread.
  text_indexer(const std::string& store_path, text_indexer_options o = {});
  ~text_indexer();
  text_indexer(const text_indexer&) = delete;
  text_indexer& operator=(const text_indexer&) = delete;

  // The store committed events up to `max_id`: wakes the thread.
  void notify(std::int64_t max_id);
  // Indexes up to max_rows events now, on the caller's thread (tests, benchmarks). Throws
  // store_error.
  std::size_t index_now(std::size_t max_rows);
  // Drops the parts whose events are all gone, now, on the caller's thread.
  std::size_t drop_expired_now();

  std::int64_t indexed_through() const { return indexed_.load(std::memory_order_acquire); }
  std::uint64_t failures() const { return failures_.load(std::memory_order_relaxed); }
  // Whether the thread currently runs at normal priority (the lag passed max_lag).
  bool urgent() const { return urgent_.load(std::memory_order_relaxed); }
  std::string path() const { return index_->path(); }

 private:
  void run();
  void set_priority(bool normal);

  text_indexer_options options_;
  std::mutex index_mtx_;  // one user of the index's connection at a time
  std::unique_ptr<text_index> index_;
  std::mutex wake_mtx_;
  std::condition_variable wake_;
  std::atomic<std::int64_t> committed_{0}, indexed_{0};
  std::atomic<std::uint64_t> failures_{0};
  std::atomic<bool> urgent_{false};
  bool stop_ = false;              // under wake_mtx_
  bool priority_refused_ = false;  // raising it back was refused once: do not ask again
  std::thread thread_;
};

}  // namespace seerflow::store
