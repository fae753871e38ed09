#pragma once
// Named counters and gauges shared by every layer (receivers run outside CAF, so these are plain
// atomics). Each instrument has a stable address: look it up once, then add without locks.
// Exposed in the session summary and, later, as Prometheus text.
#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace seerflow::metrics {

using labels = std::vector<std::pair<std::string, std::string>>;

class counter {
 public:
  void add(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

class gauge {
 public:
  void set(std::int64_t v) { v_.store(v, std::memory_order_relaxed); }
  void add(std::int64_t d) { v_.fetch_add(d, std::memory_order_relaxed); }
  std::int64_t value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::int64_t> v_{0};
};

struct sample {
  std::string name;
  labels tags;
  bool is_counter = true;
  std::int64_t value = 0;
};

class registry {
 public:
  counter& get_counter(std::string_view name, labels tags = {});
  gauge& get_gauge(std::string_view name, labels tags = {});

  // Sum of a counter over every label set (e.g. all "records_dropped" of all receivers).
  std::uint64_t total(std::string_view name) const;
  std::vector<sample> snapshot() const;

 private:
  static std::string key_of(std::string_view name, const labels& tags);
  struct entry {
    std::string name;
    labels tags;
    counter* c = nullptr;
    gauge* g = nullptr;
  };
  mutable std::mutex mtx_;
  std::deque<counter> counters_;  // deque: addresses stay valid as it grows
  std::deque<gauge> gauges_;
  std::map<std::string, entry> index_;
};

// Counters of one component broken down by reason ("oversized", "bad_pri", ...). Reasons are
// rare events, so the lookup takes a lock; the happy-path counters are cached pointers.
class reason_counter {
 public:
  reason_counter(registry& reg, std::string name, labels base)
      : reg_(&reg), name_(std::move(name)), base_(std::move(base)) {}
  void add(std::string_view reason, std::uint64_t n = 1);

 private:
  registry* reg_;
  std::string name_;
  labels base_;
};

}  // namespace seerflow::metrics
