#include "runtime/detect/ensemble.hpp"

#include <algorithm>
#include <cmath>

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x45;  // 'E'
constexpr std::uint8_t snapshot_version = 3;
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
// Channel statistics learn from values clipped to this many sd of their mean.
constexpr double clip_z = 3.0;
}  // namespace

ensemble::ensemble(const ensemble_settings& s)
    : s_(s),
      stats_{running_stats(s.stats_decay), running_stats(s.stats_decay),
             running_stats(s.stats_decay), running_stats(s.stats_decay),
             running_stats(s.stats_decay), running_stats(s.stats_decay)},
      dspot_(s.threshold) {}

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
    // Robust statistics (a Huber-like clip): once warm, a channel learns from its value clipped
    // to clip_z sd of its mean. Unclipped, the hundreds of extreme values of one burst moved the
    // mean by several sd, and for the rest of the stream every ordinary value of that channel
    // read as "fewer than usual".
    const double sd = std::sqrt(std::max(st.variance(), min_channel_variance[i]));
    st.observe(st.count() >= s_.channel_warmup
                   ? std::clamp(ps.value, st.mean() - clip_z * sd, st.mean() + clip_z * sd)
                   : ps.value);
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
  // One signed score for the biDSPOT: what is up minus what is down. Its two tails then learn
  // the two kinds of anomaly on one continuous scale (a spike far above the usual level, a
  // silence far below it), and a stream whose signed channels sit a little under their means
  // after a burst is only a little low, not a different kind of event.
  const double x = mag[0] - mag[1];
  const int win = mag[1] > mag[0] ? 1 : 0;
  out.agreeing = agree[win];
  out.dir = win ? direction::lower : direction::upper;
  out.score = win ? -x : x;
  for (std::size_t k = 0; k < out.parts_count; ++k)
    out.parts[k].partial =
        sum[win] > 0 ? share[win][static_cast<std::size_t>(out.parts[k].ch)] / sum[win] : 0.0;
  const auto r = dspot_.update(x);
  out.calibrated = r.calibrated;
  if (r.calibrated) {
    out.threshold = win ? -r.lower : r.upper;
    out.anomaly = r.alarm && r.dir == out.dir;
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
  dspot_.snapshot(w);
}

bool ensemble::restore(util::byte_reader& r) {
  if (r.u8() != snapshot_tag || r.u8() != snapshot_version) return false;
  auto stats = stats_;
  for (auto& st : stats)
    if (!st.restore(r)) return false;
  bidspot d(s_.threshold);
  if (!d.restore(r)) return false;
  stats_ = stats;
  dspot_ = std::move(d);
  return true;
}

}  // namespace seerflow::detect
