#include "runtime/detect/source_detector.hpp"

#include <algorithm>
#include <cmath>

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x53;  // 'S'
constexpr std::uint8_t snapshot_version = 3;
}  // namespace

source_detector::source_detector(const settings& s)
    : s_(s),
      features_(s.content),
      hst_(s.content, content_features::dims),
      volume_(s.volume),
      cusum_(s.change) {}

source_partials source_detector::volume_step(std::int64_t t, bool count_event) {
  source_partials out;
  const auto v = volume_.step(t, count_event, [&](double count) {
    const auto c = cusum_.update(count);
    // Normalised by h so that 1 means "at the alarm line".
    last_change_ = partial_score{c.statistic / s_.change.threshold, true, c.warm};
    if (c.alarm) {
      out.change_alarm = true;
      out.change_direction = c.direction;
      // The sums restart after an alarm; the event still carries the crossing.
      last_change_.value = c.direction * (1.0 + 1e-9);
    }
  });
  out.volume = partial_score{v.z, true, v.warm};
  // CUSUM judges buckets, so only the event that closes one carries its statistic: carried on
  // every event of the next minute, one elevated statistic weighed as hundreds of odd events.
  if (v.closed > 0) out.change = last_change_;
  if (out.change_alarm) last_change_.value = 0;
  return out;
}

source_partials source_detector::observe(const event_features& e) {
  source_partials out = volume_step(e.time_ns, true);
  const auto x = features_.encode_quantised(e);
  // The stranger of two views: where the event falls among recent events' features, and how
  // unexpected its template is.
  const double c = 0.5 * (hst_.score_and_update(x) + features_.novelty());
  out.content = partial_score{c, true, hst_.warm()};
  return out;
}

source_partials source_detector::advance(std::int64_t t) {
  return volume_step(t, false);
}

std::string source_detector::snapshot() const {
  util::byte_writer w;
  w.u8(snapshot_tag);
  w.u8(snapshot_version);
  features_.snapshot(w);
  hst_.snapshot(w);
  volume_.snapshot(w);
  cusum_.snapshot(w);
  w.f64(last_change_.value);
  w.u8(static_cast<std::uint8_t>(last_change_.present | (last_change_.warm << 1)));
  return w.take();
}

bool source_detector::restore(std::string_view bytes) {
  util::byte_reader r(bytes);
  if (r.u8() != snapshot_tag || r.u8() != snapshot_version) return false;
  content_features f = features_;
  half_space_trees h = hst_;
  volume_model v = volume_;
  cusum c = cusum_;
  if (!f.restore(r) || !h.restore(r) || !v.restore(r) || !c.restore(r)) return false;
  const double lc = r.f64();
  const auto flags = r.u8();
  if (!r.ok() || !r.at_end() || flags > 3 || !std::isfinite(lc)) return false;
  features_ = std::move(f);
  hst_ = std::move(h);
  volume_ = std::move(v);
  cusum_ = c;
  last_change_ = partial_score{lc, (flags & 1) != 0, (flags & 2) != 0};
  return true;
}

}  // namespace seerflow::detect
