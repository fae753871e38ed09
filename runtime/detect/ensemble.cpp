#include "runtime/detect/ensemble.hpp"

#include <algorithm>
#include <cmath>

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x45;  // 'E'
constexpr std::uint8_t snapshot_version = 4;
// Channel statistics: a floor on each channel's variance, in its own units, so that a channel
// that has been nearly constant (a homogeneous stream) does not turn its first wobble into an
// extreme z. Content and sequence scores live in [0, 1]: differences under 0.05 are noise. The
// volume channels are already z-scores of their own detectors: a sd under 1 would only amplify
// them. Change is CUSUM's statistic over its threshold h.
constexpr std::array<double, channel_count> min_channel_variance = {0.05 * 0.05,  // content
                                                                    1.0,          // volume
                                                                    0.05 * 0.05,  // sequence
                                                                    0.1 * 0.1,    // change
                                                                    1.0,          // template volume
                                                                    1.0};         // entity volume
// A z-score is capped so that a channel whose history was constant cannot put an astronomic
// value into the threshold's peaks (its GPD fit would then follow that one value).
constexpr double max_channel_z = 50.0;
// Channel statistics learn from values within this many sd of their mean.
constexpr double learn_z = 4.0;
}  // namespace

ensemble::ensemble(const ensemble_settings& s)
    : s_(s),
      stats_{running_stats(s.stats_decay), running_stats(s.stats_decay),
             running_stats(s.stats_decay), running_stats(s.stats_decay),
             running_stats(s.stats_decay), running_stats(s.stats_decay)},
      up_(s.threshold, true),
      down_(s.threshold, true) {}

ensemble_result ensemble::fuse(const partial_scores& p) {
  ensemble_result out;
  double w_max = 0;
  for (std::size_t i = 0; i < channel_count; ++i)
    if (p[i].present && p[i].warm) w_max = std::max(w_max, s_.weights[i]);
  // Per direction: the sum of powers, and each channel's share of it.
  double sum[2] = {0, 0};
  std::uint8_t agree[2] = {0, 0};
  std::array<double, channel_count> share[2] = {};
  bool any = false;
  for (std::size_t i = 0; i < channel_count; ++i) {
    const auto& ps = p[i];
    if (!ps.present || !ps.warm || !std::isfinite(ps.value)) continue;
    auto& st = stats_[i];
    // A channel's statistics learn only from its warm values: the zeros a detector reports
    // before it has learned anything would otherwise make its first real scores look extreme.
    const bool counted = st.count() >= s_.channel_warmup && s_.weights[i] > 0;
    const double z =
        std::clamp(st.z(ps.value, min_channel_variance[i]), -max_channel_z, max_channel_z);
    // Robust statistics: once warm, a channel learns only from values within learn_z of its
    // mean; its extremes are what its z-scores single out, not what they are measured against.
    // Learned (even clipped), the hundreds of extreme values of one burst moved the mean by
    // several sd, and for the rest of the stream every ordinary value of that channel read as
    // "fewer than usual". The detectors under each channel adapt to a lasting change themselves.
    if (st.count() < s_.channel_warmup || std::abs(z) <= learn_z) st.observe(ps.value);
    if (!counted) continue;
    any = true;
    const auto c = static_cast<channel>(i);
    // Upward deviations of every channel say "more, or odder, than usual"; downward ones of
    // the signed channels "fewer than usual". Content and sequence below their mean say nothing.
    const int side = z < 0 && is_signed(c) ? 1 : 0;
    const double m = side ? -z : std::max(z, 0.0);
    // Weighted power mean of order 4, scaled by the heaviest weight rather than the sum: one
    // channel far out carries the score by itself (w_c / w_max of it), where a mean over six
    // channels divided it by up to 4; several channels out at once add up (and are boosted).
    const double m2 = m * m;
    const double part = (s_.weights[i] / w_max) * m2 * m2;
    sum[side] += part;
    share[side][i] = part;
    if (m >= s_.agree_z) ++agree[side];
    out.parts[out.parts_count++] = contribution{c, ps.value, z, 0};
  }
  if (!any) return out;  // nothing warm: no score, and the threshold learns nothing
  double mag[2];
  for (int d = 0; d < 2; ++d) {
    mag[d] = std::sqrt(std::sqrt(sum[d]));
    if (agree[d] >= 2) mag[d] *= 1.0 + s_.agree_boost * (agree[d] - 1);
  }
  // Each direction has its own tail (the biDSPOT's two sides, each on its own magnitude): a new
  // template after a quiet spell is odd in both ways, and one signed score (up minus down) let
  // the two cancel.
  const auto ru = up_.update(mag[0]);
  const auto rd = down_.update(mag[1]);
  // A tail's alarm counts only with a magnitude past min_alarm_z too (see below): the lower
  // tail's threshold can sit near zero, and its alarm on a 0.3 must not outvote the upper
  // tail's verdict on a new template scoring 11.
  const bool alarm_up = ru.alarm && ru.dir == direction::upper && mag[0] > s_.min_alarm_z;
  const bool alarm_down = rd.alarm && rd.dir == direction::upper && mag[1] > s_.min_alarm_z;
  // The direction reported: the one that alarmed (the further past its threshold if both), else
  // the larger magnitude.
  int win = mag[1] > mag[0] ? 1 : 0;
  if (alarm_up != alarm_down)
    win = alarm_down ? 1 : 0;
  else if (alarm_up && alarm_down)
    win = mag[1] - rd.upper > mag[0] - ru.upper ? 1 : 0;
  out.agreeing = agree[win];
  out.dir = win ? direction::lower : direction::upper;
  out.score = mag[win];
  for (std::size_t k = 0; k < out.parts_count; ++k)
    out.parts[k].partial =
        sum[win] > 0 ? share[win][static_cast<std::size_t>(out.parts[k].ch)] / sum[win] : 0.0;
  const auto& r = win ? rd : ru;
  out.calibrated = ru.calibrated && rd.calibrated;
  if (r.calibrated) {
    // A magnitude under min_alarm_z is no anomaly whatever the tail says: a direction that was
    // flat through calibration (no stream falls silent in its first minutes) has a threshold of
    // zero, and its first ordinary wobble would alarm.
    out.threshold = std::max(r.upper, s_.min_alarm_z);
    out.anomaly = (win ? alarm_down : alarm_up) && out.score > out.threshold;
    // Only an anomaly's parts are read (to explain it), so only then are they ranked.
    if (out.anomaly) {
      // Insertion sort: at most six parts (and std::sort trips a g++ 12 bounds warning here).
      for (std::size_t i = 1; i < out.parts_count; ++i)
        for (std::size_t j = i; j > 0 && out.parts[j].partial > out.parts[j - 1].partial; --j)
          std::swap(out.parts[j], out.parts[j - 1]);
    }
  }
  return out;
}

void ensemble::snapshot(util::byte_writer& w) const {
  w.u8(snapshot_tag);
  w.u8(snapshot_version);
  for (const auto& st : stats_) st.snapshot(w);
  up_.snapshot(w);
  down_.snapshot(w);
}

bool ensemble::restore(util::byte_reader& r) {
  if (r.u8() != snapshot_tag || r.u8() != snapshot_version) return false;
  auto stats = stats_;
  for (auto& st : stats)
    if (!st.restore(r)) return false;
  bidspot u(s_.threshold, true), d(s_.threshold, true);
  if (!u.restore(r) || !d.restore(r)) return false;
  stats_ = stats;
  up_ = std::move(u);
  down_ = std::move(d);
  return true;
}

}  // namespace seerflow::detect
