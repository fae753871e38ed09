#pragma once
// Exponentially weighted mean and variance. The weight starts at 1/n so that the first
// observations give the exact mean (no bias toward the zero start), then settles at `decay`.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "runtime/util/byte_codec.hpp"

namespace seerflow::detect {

class running_stats {
 public:
  explicit running_stats(double decay = 0.01)
      : decay_(decay),
        settle_(decay > 0 ? static_cast<std::uint64_t>(std::ceil(1.0 / decay)) : 0) {}

  void observe(double x) {
    ++n_;
    // 1/n until it falls to the decay (no division on the hot path after that).
    const double w = n_ >= settle_ ? decay_ : std::max(decay_, 1.0 / static_cast<double>(n_));
    const double d = x - mean_;
    mean_ += w * d;
    // West's incremental form of the weighted variance.
    var_ = (1.0 - w) * (var_ + w * d * d);
  }
  // (x - mean) / sd with the variance floored, so a constant history does not divide by zero.
  double z(double x, double min_variance) const {
    return (x - mean_) / std::sqrt(std::max(var_, min_variance));
  }
  double mean() const { return mean_; }
  double variance() const { return var_; }
  std::uint64_t count() const { return n_; }
  void reset() { n_ = 0, mean_ = 0, var_ = 0; }

  void snapshot(util::byte_writer& w) const {
    w.varint(n_);
    w.f64(mean_);
    w.f64(var_);
  }
  bool restore(util::byte_reader& r) {
    n_ = r.varint();
    mean_ = r.f64();
    var_ = r.f64();
    return r.ok() && std::isfinite(mean_) && std::isfinite(var_) && var_ >= 0;
  }

 private:
  double decay_;
  std::uint64_t settle_;
  std::uint64_t n_ = 0;
  double mean_ = 0, var_ = 0;
};

}  // namespace seerflow::detect
