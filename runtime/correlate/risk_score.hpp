#pragma once
// Per-entity risk with exponential decay in event time:
//   risk(t) = sum of points_i * 2^(-(t - t_i) / half_life)  over findings with t_i <= t.
// The sum is kept folded at its newest time (the anchor), so an addition costs O(1). Crossing the
// threshold fires once; the score re-arms only after it has decayed below the threshold again
// (hysteresis), so an attacker who stays busy is reported again later, but not on every finding.
#include <cstdint>

namespace seerflow::correlate {

class risk_score {
 public:
  risk_score(std::int64_t half_life_ns, double threshold);

  // Adds `points` earned at event time `time_ns`. A finding older than the anchor (late) is
  // added at its decayed value and moves nothing. Returns true when this addition crossed the
  // threshold while armed: the caller raises one alert.
  bool add(std::int64_t time_ns, double points);

  // The risk at `time_ns`: decayed from the anchor when later, the anchored value otherwise.
  double value_at(std::int64_t time_ns) const;
  double value() const { return value_; }
  std::int64_t anchor_ns() const { return anchor_ns_; }
  bool empty() const { return empty_; }
  bool armed() const { return armed_; }
  double threshold() const { return threshold_; }

  // For snapshots: the folded state, restored as is.
  void restore(double value, std::int64_t anchor_ns, bool armed, bool empty);

 private:
  double decay(std::int64_t later_ns, std::int64_t earlier_ns) const;

  std::int64_t half_life_ns_;
  double threshold_;
  double value_ = 0;
  std::int64_t anchor_ns_ = 0;
  bool armed_ = true;
  bool empty_ = true;
};

}  // namespace seerflow::correlate
