#pragma once
// Two-sided CUSUM (Page 1954) on bucket counts standardised by their own EMA mean and variance:
// small persistent shifts in either direction add up until they cross h. Both sums restart after
// an alarm so that one change is reported once.
#include <cstdint>

#include "runtime/detect/running_stats.hpp"
#include "runtime/detect/settings.hpp"

namespace seerflow::detect {

class cusum {
 public:
  explicit cusum(const cusum_settings& s) : s_(s), stats_(s.decay) {}

  struct result {
    double statistic = 0;  // the larger sum, signed: + for an upward shift, - for a downward one
    bool alarm = false;
    int direction = 0;  // +1 up, -1 down, 0 none
    bool warm = false;
  };
  result update(double y);
  double upper() const { return pos_; }
  double lower() const { return neg_; }
  std::uint64_t alarms() const { return alarms_; }

  void snapshot(util::byte_writer& w) const;
  bool restore(util::byte_reader& r);

 private:
  cusum_settings s_;
  running_stats stats_;
  double pos_ = 0, neg_ = 0;
  std::uint64_t alarms_ = 0;
};

}  // namespace seerflow::detect
