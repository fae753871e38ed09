#pragma once
// Fuses the channels' partial scores for one source into one score and decides, with a biDSPOT,
// whether it is an anomaly. Each channel is z-normalised against its own running statistics, so
// channels with different scales weigh only by their configured weight.
//
// The rule, per event:
//   z_c = (raw_c - mean_c) / sd_c for every present, warm channel, against statistics that learn
//   from that channel's warm values only (updated after scoring); a channel counts once it has
//   seen channel_warmup of them;
//   magnitude m_c = |z_c| for signed channels (volume, change, template and entity volume: too
//   many and too few are both odd), max(z_c, 0) for content and sequence (only "odder than
//   usual" is news);
//   fused = (sum (w_c / w_max) m_c^4)^(1/4) over counted channels, w_max the largest weight
//   among them: a power mean, so one channel far out carries the score on its own (a weighted
//   mean let five quiet channels dilute one new template below any threshold), while weights
//   still rank the channels (a channel at half the weight needs 19% more z for the same say);
//   agreement boost: when k >= 2 channels have m_c >= agree_z, fused *= 1 + agree_boost (k - 1);
//   direction: lower when the signed channels carry most of the score and their weighted z sum
//   is negative (fewer events than expected), upper otherwise;
//   the biDSPOT sees +fused for upper and -fused for lower, so its two tails learn the two kinds
//   of anomaly separately and each has its own threshold.
#include <array>
#include <cstdint>

#include "runtime/detect/bidspot.hpp"
#include "runtime/detect/running_stats.hpp"
#include "runtime/detect/settings.hpp"

namespace seerflow::detect {

struct partial_score {
  double value = 0;
  bool present = false;  // this channel reported for this event
  bool warm = false;     // the channel's detector has learned enough to be believed
};
using partial_scores = std::array<partial_score, channel_count>;

inline partial_score& at(partial_scores& p, channel c) {
  return p[static_cast<std::size_t>(c)];
}
inline constexpr bool is_signed(channel c) {
  return c == channel::volume || c == channel::change || c == channel::template_volume ||
         c == channel::entity_volume;
}

struct contribution {
  channel ch = channel::content;
  double raw = 0;      // the channel's own score
  double z = 0;        // against the channel's running statistics
  double partial = 0;  // its share of the fused score's sum of powers, before the boost
};

struct ensemble_result {
  double score = 0;                 // fused magnitude (>= 0)
  double threshold = 0;             // the biDSPOT threshold on the magnitude for this direction
  direction dir = direction::none;  // the tail the score was judged on
  bool anomaly = false;
  bool calibrated = false;  // the biDSPOT has finished calibrating
  std::uint8_t agreeing = 0;
  std::uint8_t parts_count = 0;
  // The counted channels: ranked by share (largest first) when anomaly, in channel order
  // otherwise.
  std::array<contribution, channel_count> parts{};
};

class ensemble {
 public:
  explicit ensemble(const ensemble_settings& s);

  ensemble_result fuse(const partial_scores& p);
  // The thresholds of the two directions: more or odder than usual, and fewer than usual.
  const bidspot& threshold() const { return up_; }
  const bidspot& lower_threshold() const { return down_; }
  const running_stats& channel_stats(channel c) const {
    return stats_[static_cast<std::size_t>(c)];
  }

  void snapshot(util::byte_writer& w) const;
  bool restore(util::byte_reader& r);

 private:
  ensemble_settings s_;
  std::array<running_stats, channel_count> stats_;
  bidspot up_, down_;
};

}  // namespace seerflow::detect
