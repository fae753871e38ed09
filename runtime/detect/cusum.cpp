#include "runtime/detect/cusum.hpp"

#include <cmath>

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x43;  // 'C'
constexpr std::uint8_t snapshot_version = 1;
}  // namespace

cusum::result cusum::update(double y) {
  result r;
  r.warm = stats_.count() >= s_.warmup_buckets;
  if (r.warm) {
    const double z = stats_.z(y, s_.min_variance);
    pos_ = std::max(0.0, pos_ + z - s_.drift);
    neg_ = std::max(0.0, neg_ - z - s_.drift);
    r.statistic = pos_ >= neg_ ? pos_ : -neg_;
    if (pos_ > s_.threshold || neg_ > s_.threshold) {
      r.alarm = true;
      r.direction = pos_ > s_.threshold ? 1 : -1;
      ++alarms_;
      pos_ = neg_ = 0;
    }
  }
  stats_.observe(y);
  return r;
}

void cusum::snapshot(util::byte_writer& w) const {
  w.u8(snapshot_tag);
  w.u8(snapshot_version);
  stats_.snapshot(w);
  w.f64(pos_);
  w.f64(neg_);
  w.varint(alarms_);
}

bool cusum::restore(util::byte_reader& r) {
  if (r.u8() != snapshot_tag || r.u8() != snapshot_version) return false;
  running_stats stats(s_.decay);
  if (!stats.restore(r)) return false;
  const double pos = r.f64(), neg = r.f64();
  const std::uint64_t alarms = r.varint();
  if (!r.ok() || !(pos >= 0) || !(neg >= 0) || !std::isfinite(pos) || !std::isfinite(neg))
    return false;
  stats_ = stats, pos_ = pos, neg_ = neg, alarms_ = alarms;
  return true;
}

}  // namespace seerflow::detect
