#include "runtime/detect/holt_winters.hpp"

#include <algorithm>
#include <cmath>

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x57;  // 'W'
constexpr std::uint8_t snapshot_version = 1;
}  // namespace

holt_winters::holt_winters(const holt_winters_settings& s) : s_(s) {
  s_.season_buckets = std::clamp<std::uint32_t>(s_.season_buckets, 1, 1u << 20);
  // The season grows bucket by bucket during the first one: the pools hold a model per template
  // and per entity, most of which never see a day, and allocating a day of doubles for each
  // dominated their cost.
}

double holt_winters::forecast() const {
  if (n_ == 0) return 0.0;
  const double base = level_ + trend_;
  if (!season_learned()) return base;
  return base + season_[n_ % s_.season_buckets];
}

double holt_winters::error_sd() const {
  return std::sqrt(std::max(err_var_, s_.min_variance));
}

holt_winters::result holt_winters::update(double y) {
  result r;
  r.forecast = forecast();
  r.warm = warm();
  const std::size_t slot = n_ % s_.season_buckets;
  if (!season_learned() && season_.size() <= slot) season_.resize(slot + 1, 0.0);
  if (n_ == 0) {
    level_ = y;
    trend_ = 0;
    season_[slot] = y;
    ++n_;
    return r;
  }
  const double raw_err = y - r.forecast;
  // Counts scatter at least as a Poisson variable does: a bucket forecast at f events misses
  // by sqrt(f) as a matter of course. Without that floor, a stream quiet for hours (its error
  // variance decayed to the floor of 1) read a daily cron job starting four minutes late (an
  // empty bucket where the season says 17) as z -17, every day (measured on Loghub's Linux log),
  // and its lower threshold, learnt from those, then hid a real silence.
  const double sd = std::sqrt(std::max(err_var_, std::max(s_.min_variance, r.forecast)));
  r.z = raw_err / sd;
  // Robust learning (after Gelper, Fried & Croux 2010): once warm, the model learns from the
  // error clipped to +-clip sd, so one spike or one silent bucket neither drags the level nor
  // inflates the error scale that the next anomaly is measured in. A lasting change is still
  // learned, at up to clip sd per bucket (and CUSUM reports it).
  const double clip = s_.robust_clip * sd;
  const double err = r.warm && clip > 0 ? std::clamp(raw_err, -clip, clip) : raw_err;
  const double raw_y = y;
  y = r.forecast + err;
  if (n_ <= 1)
    err_var_ = err * err;  // the first error sets the scale; EMA from then on
  else
    err_var_ += s_.error_decay * (err * err - err_var_);
  if (!season_learned()) {
    // Holt's linear method while the season is unknown; keep the raw values for the season.
    const double prev = level_;
    level_ = s_.alpha * y + (1 - s_.alpha) * (level_ + trend_);
    trend_ = s_.beta * (level_ - prev) + (1 - s_.beta) * trend_;
    // The season's shape is what Holt cannot forecast, so it is kept unclipped.
    season_[slot] = raw_y;
    ++n_;
    if (season_learned()) {
      // One season seen: its mean is the level, the deviations from it the seasonal pattern.
      double mean = 0;
      for (double v : season_) mean += v;
      mean /= static_cast<double>(season_.size());
      for (double& v : season_) v -= mean;
      level_ = mean;
      trend_ = 0;
    }
    return r;
  }
  const double s = season_[slot];
  const double prev = level_;
  level_ = s_.alpha * (y - s) + (1 - s_.alpha) * (level_ + trend_);
  trend_ = s_.beta * (level_ - prev) + (1 - s_.beta) * trend_;
  season_[slot] = s_.gamma * (y - level_) + (1 - s_.gamma) * s;
  ++n_;
  return r;
}

void holt_winters::snapshot(util::byte_writer& w) const {
  w.u8(snapshot_tag);
  w.u8(snapshot_version);
  w.varint(s_.season_buckets);
  w.varint(n_);
  w.f64(level_);
  w.f64(trend_);
  w.f64(err_var_);
  // Only the slots written so far carry information.
  const std::size_t used = std::min<std::uint64_t>(n_, s_.season_buckets);
  for (std::size_t i = 0; i < used; ++i) w.f64(season_[i]);
}

bool holt_winters::restore(util::byte_reader& r) {
  if (r.u8() != snapshot_tag || r.u8() != snapshot_version) return false;
  if (r.varint() != s_.season_buckets) return false;
  const std::uint64_t n = r.varint();
  const double level = r.f64(), trend = r.f64(), err_var = r.f64();
  if (!r.ok() || !std::isfinite(level) || !std::isfinite(trend) || !std::isfinite(err_var) ||
      err_var < 0)
    return false;
  const std::size_t used = std::min<std::uint64_t>(n, s_.season_buckets);
  if (!r.plausible_count(used, 8)) return false;
  std::vector<double> season(used, 0.0);
  for (std::size_t i = 0; i < used; ++i) {
    season[i] = r.f64();
    if (!std::isfinite(season[i])) return false;
  }
  if (!r.ok()) return false;
  n_ = n, level_ = level, trend_ = trend, err_var_ = err_var;
  season_ = std::move(season);
  return true;
}

}  // namespace seerflow::detect
