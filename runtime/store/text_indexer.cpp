#include "runtime/store/text_indexer.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "runtime/util/log.hpp"

namespace seerflow::store {

text_indexer::text_indexer(const std::string& store_path, text_indexer_options o)
    : options_(o), index_(std::make_unique<text_index>(store_path, o.index)) {
  indexed_.store(index_->indexed_through());
  committed_.store(index_->store_max_id());
  if (options_.background) thread_ = std::thread([this] { run(); });
}

text_indexer::~text_indexer() {
  {
    std::lock_guard lk(wake_mtx_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void text_indexer::notify(std::int64_t max_id) {
  std::int64_t seen = committed_.load(std::memory_order_relaxed);
  while (seen < max_id && !committed_.compare_exchange_weak(seen, max_id)) {
  }
  wake_.notify_one();
}

std::size_t text_indexer::index_now(std::size_t max_rows) {
  std::lock_guard lk(index_mtx_);
  std::size_t total = 0;
  // A step stays inside one part; a chunk may span the end of one and the start of the next.
  while (total < max_rows) {
    const auto n = index_->step(max_rows - total);
    indexed_.store(index_->indexed_through(), std::memory_order_release);
    if (n == 0) break;
    total += n;
  }
  return total;
}

std::size_t text_indexer::drop_expired_now() {
  std::lock_guard lk(index_mtx_);
  return index_->drop_expired();
}

void text_indexer::set_priority(bool normal) {
  if (!options_.idle_priority) return;
  if (normal && priority_refused_) return;
  sched_param param{};
  param.sched_priority = 0;
  const int rc = pthread_setschedparam(pthread_self(), normal ? SCHED_OTHER : SCHED_IDLE, &param);
  if (rc == 0) {
    urgent_.store(normal, std::memory_order_relaxed);
    return;
  }
  if (normal) {
    priority_refused_ = true;
    log::warn("store", "the full-text index lags by more than ", options_.max_lag,
              " events but its thread may not leave idle priority (", std::strerror(rc),
              "; raise RLIMIT_NICE to 20, e.g. LimitNICE=+0 under systemd); it indexes only "
              "with spare CPU, and searches cover the lag by substring");
  } else {
    log::warn("store", "full-text indexing cannot run at idle priority (", std::strerror(rc),
              "); it takes a normal share of the CPU");
  }
}

void text_indexer::run() {
  pthread_setname_np(pthread_self(), "seerflow-fts");  // visible in top -H and perf
  set_priority(false);
  auto backoff = std::chrono::milliseconds(250);
  auto next_drop = std::chrono::steady_clock::now();
  bool caught_up = false;  // the last step found nothing new although notified
  for (;;) {
    {
      std::unique_lock lk(wake_mtx_);
      if (stop_) return;
      if ((caught_up || committed_.load() <= indexed_.load()) &&
          std::chrono::steady_clock::now() < next_drop)
        wake_.wait_for(lk, options_.poll);
      if (stop_) return;
    }
    try {
      const std::int64_t lag = committed_.load() - indexed_.load();
      if (lag > options_.max_lag && !urgent()) set_priority(true);
      if (lag < options_.max_lag / 2 && urgent()) set_priority(false);
      // Nothing new under the index's eyes although the store said so (ids retention took
      // from the end): wait for the next notify or poll instead of spinning.
      caught_up = lag > 0 && index_now(options_.chunk_rows) == 0;
      if (std::chrono::steady_clock::now() >= next_drop) {
        drop_expired_now();
        next_drop = std::chrono::steady_clock::now() + options_.poll;
      }
      backoff = std::chrono::milliseconds(250);
    } catch (const std::exception& e) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      log::error("store", "full-text indexing failed (", e.what(), "); retrying in ",
                 backoff.count(), " ms");
      std::unique_lock lk(wake_mtx_);
      wake_.wait_for(lk, backoff, [this] { return stop_; });
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, std::chrono::seconds(30));
    }
  }
}

}  // namespace seerflow::store
