#include "runtime/correlate/risk_score.hpp"

#include <cmath>

namespace seerflow::correlate {

risk_score::risk_score(std::int64_t half_life_ns, double threshold)
    : half_life_ns_(half_life_ns > 0 ? half_life_ns : 1), threshold_(threshold) {}

double risk_score::decay(std::int64_t later_ns, std::int64_t earlier_ns) const {
  // Event times are parsed from logs: their difference is taken in long double, where it cannot
  // overflow, and the factor underflows cleanly to 0 for ancient findings.
  const long double halves =
      (static_cast<long double>(later_ns) - static_cast<long double>(earlier_ns)) /
      static_cast<long double>(half_life_ns_);
  return static_cast<double>(std::exp2(-halves));
}

bool risk_score::add(std::int64_t time_ns, double points) {
  if (!std::isfinite(points) || points < 0) points = 0;
  if (empty_) {
    empty_ = false;
    anchor_ns_ = time_ns;
    value_ = 0;
  }
  if (time_ns > anchor_ns_) {
    value_ *= decay(time_ns, anchor_ns_);
    anchor_ns_ = time_ns;
    // Time moved on: if the risk has fallen below the threshold meanwhile, the entity may alert
    // again when it next climbs over it.
    if (value_ < threshold_) armed_ = true;
    value_ += points;
  } else {
    value_ += points * decay(anchor_ns_, time_ns);
  }
  if (armed_ && value_ >= threshold_) {
    armed_ = false;
    return true;
  }
  return false;
}

double risk_score::value_at(std::int64_t time_ns) const {
  if (empty_ || time_ns <= anchor_ns_) return value_;
  return value_ * decay(time_ns, anchor_ns_);
}

void risk_score::restore(double value, std::int64_t anchor_ns, bool armed, bool empty) {
  value_ = std::isfinite(value) && value >= 0 ? value : 0;
  anchor_ns_ = anchor_ns;
  armed_ = armed;
  empty_ = empty;
}

}  // namespace seerflow::correlate
