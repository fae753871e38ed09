#pragma once
// The volume channel of one series (a source, a template or an entity): events counted into
// event-time buckets, each closed bucket (empty ones included) scored by Holt-Winters, and the
// bucket still filling scored as soon as it runs above its forecast.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "runtime/detect/bucket_counter.hpp"
#include "runtime/detect/holt_winters.hpp"
#include "runtime/detect/running_stats.hpp"
#include "runtime/detect/settings.hpp"

namespace seerflow::detect {

struct volume_score {
  double z = 0;  // signed: > 0 more events than forecast, < 0 fewer (a silence)
  bool warm = false;
  std::uint64_t closed = 0;  // buckets closed by this call
};

class volume_model {
 public:
  explicit volume_model(const holt_winters_settings& s)
      : buckets_(s.bucket_ns), hw_(s), gaps_(gap_decay), s_(s) {}

  // Counts one event at event time t. If buckets closed, the score is the most extreme of their
  // z-scores (so the first event after a silence carries the silence); otherwise it is how far
  // the filling bucket already exceeds its forecast (0 while it does not).
  volume_score observe(std::int64_t t) { return step(t, true); }
  // Moves event time to t without an event (a watermark tick): closes and scores buckets.
  volume_score advance(std::int64_t t) { return step(t, false); }

  const holt_winters& model() const { return hw_; }
  const bucket_counter& buckets() const { return buckets_; }

  // Closed buckets are passed to `on_bucket(count)` in order; used by the source detector to
  // drive CUSUM from the same buckets.
  template <class F>
  volume_score step(std::int64_t t, bool count_event, F&& on_bucket);
  volume_score step(std::int64_t t, bool count_event) {
    return step(t, count_event, [](double) {});
  }

  void snapshot(util::byte_writer& w) const {
    buckets_.snapshot(w);
    hw_.snapshot(w);
    gaps_.snapshot(w);
  }
  bool restore(util::byte_reader& r) {
    bucket_counter b = buckets_;
    holt_winters h = hw_;
    running_stats g(gap_decay);
    if (!b.restore(r) || !h.restore(r) || !g.restore(r)) return false;
    buckets_ = b;
    hw_ = std::move(h);
    gaps_ = g;
    return true;
  }

 private:
  // Silences are also judged by their length against the series' usual gaps (log of the empty
  // buckets between two busy ones): a sparse series whose forecast is near zero sees nothing
  // odd in one more empty bucket, but a gap ten times its longest is news.
  static constexpr double gap_decay = 0.05;
  static constexpr std::uint64_t gap_warmup = 5;
  static constexpr double gap_min_variance = 0.25;
  double gap_z(std::uint64_t empties) {
    const double g = std::log1p(static_cast<double>(empties));
    const bool warm = gaps_.count() >= gap_warmup;
    const double z = warm ? gaps_.z(g, gap_min_variance) : 0.0;
    gaps_.observe(g);
    return empties > 0 && z > 0 ? -z : 0.0;
  }

  bucket_counter buckets_;
  holt_winters hw_;
  running_stats gaps_;
  holt_winters_settings s_;
};

template <class F>
volume_score volume_model::step(std::int64_t t, bool count_event, F&& on_bucket) {
  const auto c = count_event ? buckets_.add(t) : buckets_.advance(t);
  volume_score out;
  out.closed = c.closed;
  if (c.closed > 0) {
    // A gap longer than a season is fed as one season of zeros: beyond that the model has
    // nothing left to learn from the silence, and per-event cost stays bounded.
    const std::uint64_t feed = std::min<std::uint64_t>(c.closed, s_.season_buckets + 1);
    double worst = 0;
    bool warm = false;
    for (std::uint64_t i = 0; i < feed; ++i) {
      const double y = i == 0 ? static_cast<double>(c.first_count) : 0.0;
      const auto r = hw_.update(y);
      on_bucket(y);
      if (r.warm && std::abs(r.z) > std::abs(worst)) worst = r.z;
      warm = warm || r.warm;
    }
    const double g = gap_z(c.closed - 1);
    if (warm && g < worst) worst = g;
    out.z = worst;
    out.warm = warm;
    return out;
  }
  out.warm = hw_.warm();
  if (out.warm) {
    const double excess = static_cast<double>(buckets_.current_count()) - hw_.forecast();
    out.z = excess > 0 ? excess / hw_.error_sd() : 0.0;
  }
  return out;
}

}  // namespace seerflow::detect
