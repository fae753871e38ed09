#pragma once
// Alert dedup in event time: alerts with one key inside their window (either side of the
// first) are one alert with a count. The key is per alert kind (kind + rule + first entity by
// default; `alerts.dedup_keys` picks other fields per kind, and a detector may set its own
// model::alert::dedup_key), the window per rule (`alerts.dedup_overrides`, else
// `alerts.dedup_window`). Nothing is dropped: a repeat is reported to the caller, which counts
// it on the first alert. Memory is bounded by the keys active in one window.
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/config/settings.hpp"
#include "runtime/model/alert.hpp"

namespace seerflow::notify {

enum class dedup_field : std::uint8_t { rule, entity, source, severity };

struct dedup_policy {
  std::int64_t window_ns = 0;                                    // 0 = no dedup
  std::unordered_map<std::string, std::int64_t> rule_window_ns;  // per-rule overrides
  std::unordered_map<std::string, std::vector<dedup_field>> kind_fields;

  // From validated settings (runtime/config checks the syntax of every entry).
  static dedup_policy from(const config::alert_settings& s);

  std::int64_t window_for(const model::alert& a) const;
  std::string key_of(const model::alert& a) const;
};

class dedup_table {
 public:
  struct window {
    std::string id;  // the first alert's id
    std::int64_t first_ns = 0;
    std::int64_t window_ns = 0;
    std::uint64_t count = 1;  // occurrences, the first included
    std::size_t tag = 0;      // the caller's handle of the first alert (an index)
    bool tagged = false;
  };

  explicit dedup_table(dedup_policy p) : policy_(std::move(p)) {}

  // The window `a` falls in, and whether `a` is a repeat of its first alert (its count grew).
  // A first occurrence opens a window with `a` as its first alert.
  struct result {
    window* w = nullptr;  // null when dedup is off for `a` (window 0)
    bool repeat = false;
  };
  result observe(const model::alert& a);

  std::size_t open_windows() const { return windows_.size(); }
  const dedup_policy& policy() const { return policy_; }

 private:
  void forget_closed();

  dedup_policy policy_;
  std::unordered_map<std::string, window> windows_;
  std::int64_t newest_ns_ = 0;
  std::uint64_t observed_ = 0;
};

}  // namespace seerflow::notify
