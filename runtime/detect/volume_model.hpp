#pragma once
// The volume channel of one series (a source, a template or an entity), in event time, at two
// scales:
//   buckets (1 minute by default): counts, empty buckets included, scored by Holt-Winters as
//   each bucket closes (so the first event after a silence carries the empty buckets);
//   instants (a sixtieth of a bucket, 1 s by default): how many events share the event's
//   instant, and how long the series was quiet before it, each against the record the series
//   has set so far (a slowly fading maximum, in doublings).
// The instants see what whole buckets blur: a burst of copies at one moment in a stream that
// writes thousands of lines a minute, a silence in a stream that has not yet closed enough
// buckets to forecast. Judging a burst while its instant fills (not the whole bucket while it
// fills) also keeps it to the burst: the ordinary events after it, in the same minute, are not
// in an overfull instant.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

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

// The largest value of a series so far, fading by a factor per observation so that a record
// set long ago does not hold for ever. Scores how far a value goes past it.
class fading_record {
 public:
  // Per observation, the record loses this fraction of itself (about 2,000 observations to fall
  // to 1/e of a one-off maximum that never recurs).
  static constexpr double fade = 1.0 / 2048;

  // warmup: observations before the record is believed.
  explicit fading_record(std::uint32_t warmup) : warmup_(warmup) {}
  bool warm() const { return n_ >= warmup_; }
  // How far x is beyond the record (0 when not, or not warm yet).
  double excess(double x) const { return warm() ? std::max(0.0, x - hi_) : 0.0; }
  void observe(double x) {
    ++n_;
    hi_ = std::max(x, hi_ - fade * hi_);
  }
  std::uint64_t count() const { return n_; }
  double record() const { return hi_; }

  void snapshot(util::byte_writer& w) const {
    w.varint(n_);
    w.f64(hi_);
  }
  bool restore(util::byte_reader& r) {
    const std::uint64_t n = r.varint();
    const double hi = r.f64();
    if (!r.ok() || !std::isfinite(hi)) return false;
    n_ = n, hi_ = hi;
    return true;
  }

 private:
  std::uint32_t warmup_;
  std::uint64_t n_ = 0;
  double hi_ = 0;
};

// log2(x) for x >= 1 to within 0.007 (a hundredth of a doubling), without a libm call: the instant
// scores take two logarithms per event, and std::log2 cost more than the rest of a template's
// volume model. The exponent from the bits, the mantissa's log by a cubic; deterministic, so a
// restart scores alike.
inline double fast_log2(double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const auto e = static_cast<double>(static_cast<std::int64_t>((bits >> 52) & 0x7ff) - 1023);
  bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;  // mantissa in [1, 2)
  double m;
  std::memcpy(&m, &bits, sizeof m);
  const double t = m - 1.0;
  // A quartic for log2(1 + t) on [0, 1).
  return e + t * (1.4425449 + t * (-0.7181452 + t * (0.4575485 + t * -0.1818561)));
}

class volume_model {
 public:
  // An instant's width: a sixtieth of a bucket (a second of a minute).
  static constexpr std::int64_t instants_per_bucket = 60;
  // Doublings past a record are scaled to the z-scores' scale: a burst or a gap ten times the
  // record (3.3 doublings) counts like a forecast error of 10 sd.
  static constexpr double record_scale = 3.0;

  // judge_silence false: the series' own events never carry a silence score (the lower side).
  // For templates and entities: one coming back after a long absence is how most of them
  // behave (a daily job, a user logging in again), and the source's own volume already says
  // when everything went quiet.
  explicit volume_model(const holt_winters_settings& s, bool judge_silence = true)
      : buckets_(s.bucket_ns),
        hw_(s),
        instant_ns_(std::max<std::int64_t>(1, s.bucket_ns / instants_per_bucket)),
        per_instant_(1.0 / static_cast<double>(instant_ns_)),
        judge_silence_(judge_silence),
        s_(s) {}

  // Counts one event at event time t. If buckets closed, the Holt-Winters score is the most
  // extreme of their z-scores (so the first event after a silence carries the silence); the
  // instant scores join it: a burst (positive) or the quiet before this event (negative),
  // whichever is most extreme.
  volume_score observe(std::int64_t t) { return step(t, true); }
  // Moves event time to t without an event (a watermark tick): closes and scores buckets.
  volume_score advance(std::int64_t t) { return step(t, false); }

  const holt_winters& model() const { return hw_; }
  const bucket_counter& buckets() const { return buckets_; }
  const fading_record& bursts() const { return bursts_; }
  const fading_record& gaps() const { return gaps_; }

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
    bursts_.snapshot(w);
    gaps_.snapshot(w);
    w.u8(started_);
    w.svarint(last_t_);
    w.svarint(instant_);
    w.varint(instant_count_);
  }
  bool restore(util::byte_reader& r) {
    bucket_counter b = buckets_;
    holt_winters h = hw_;
    fading_record bu = bursts_, ga = gaps_;
    if (!b.restore(r) || !h.restore(r) || !bu.restore(r) || !ga.restore(r)) return false;
    const auto started = r.u8();
    const auto last = r.svarint();
    const auto instant = r.svarint();
    const auto count = r.varint();
    if (!r.ok() || started > 1) return false;
    buckets_ = b;
    hw_ = std::move(h);
    bursts_ = bu, gaps_ = ga;
    started_ = started != 0, last_t_ = last, instant_ = instant, instant_count_ = count;
    return true;
  }

 private:
  // Floor division, so that times before 1970 still land in the right instant.
  std::int64_t instant_of(std::int64_t t) const {
    return t >= 0 ? t / instant_ns_ : -((-(t + 1)) / instant_ns_) - 1;
  }
  // The instant scores of an event at t, learning from it.
  double instant_step(std::int64_t t);

  bucket_counter buckets_;
  holt_winters hw_;
  std::int64_t instant_ns_;
  double per_instant_;  // 1 / instant_ns_
  bool judge_silence_;
  // log2 of the events in each busy instant. One busy instant sets the record: a rare template
  // written once, then ten times at one moment, is a burst on its second showing.
  fading_record bursts_{1};
  // log2(1 + quiet instants) before each event; gaps vary more, so eight set the record.
  fading_record gaps_{8};
  bool started_ = false;
  std::int64_t last_t_ = 0;  // the latest event time seen
  std::int64_t instant_ = 0;
  std::uint64_t instant_count_ = 0;
  holt_winters_settings s_;
};

inline double volume_model::instant_step(std::int64_t t) {
  if (!started_) {
    started_ = true;
    last_t_ = t;
    instant_ = instant_of(t);
    instant_count_ = 1;
    return 0.0;
  }
  double gap = 0;
  if (t > last_t_) {
    // The quiet before this event, in instants: 0 for events of one instant.
    const double g = fast_log2(1.0 + static_cast<double>(t - last_t_) * per_instant_);
    gap = gaps_.excess(g);
    gaps_.observe(g);
    last_t_ = t;
  } else {
    gaps_.observe(0.0);  // same instant, or late: no quiet before it
  }
  // The common case (still the current instant) without a 64-bit division.
  const std::int64_t start = instant_ * instant_ns_;
  const std::int64_t i = t >= start && t - start < instant_ns_ ? instant_ : instant_of(t);
  // A late event belongs to an instant already judged: it neither joins the current one (a
  // source whose clock jumped ahead once would otherwise pile every later line into it) nor
  // starts a new one.
  // Late by more than a bucket, though, the series' clock went back (logs of several hosts or
  // days replayed one after the other): waiting for time to catch up would leave the series
  // unjudged for as long as the jump (weeks, measured on Loghub's Zookeeper log), so its instants
  // start over from here.
  if (i < instant_ - instants_per_bucket) {
    last_t_ = t;
  } else if (i < instant_) {
    return judge_silence_ ? -record_scale * gap : 0.0;
  }
  if (i != instant_) {
    bursts_.observe(fast_log2(static_cast<double>(instant_count_)));
    instant_ = i;
    instant_count_ = 0;
  }
  ++instant_count_;
  const double burst = bursts_.excess(fast_log2(static_cast<double>(instant_count_)));
  if (!judge_silence_) gap = 0;
  return burst >= gap ? record_scale * burst : -record_scale * gap;
}

template <class F>
volume_score volume_model::step(std::int64_t t, bool count_event, F&& on_bucket) {
  const auto c = count_event ? buckets_.add(t) : buckets_.advance(t);
  volume_score out;
  out.closed = c.closed;
  if (c.closed > 0) {
    // A gap longer than a season is fed as one season of zeros: beyond that the model has
    // nothing left to learn from the silence, and per-event cost stays bounded.
    const std::uint64_t feed = std::min<std::uint64_t>(c.closed, s_.season_buckets + 1);
    // Only the lower side of a closed bucket is scored here: a bucket fuller than forecast was
    // judged while it filled (its busy instants), and its excess would otherwise land on the
    // first event of the next bucket, an innocent one. CUSUM still sees every bucket.
    for (std::uint64_t i = 0; i < feed; ++i) {
      const double y = i == 0 ? static_cast<double>(c.first_count) : 0.0;
      const auto r = hw_.update(y);
      on_bucket(y);
      if (r.warm && r.z < out.z && judge_silence_) out.z = r.z;
      out.warm = out.warm || r.warm;
    }
  } else {
    out.warm = hw_.warm();
  }
  if (count_event) {
    const double x = instant_step(t);
    if (std::abs(x) > std::abs(out.z)) out.z = x;
    out.warm = out.warm || bursts_.warm() || gaps_.warm();
  }
  return out;
}

}  // namespace seerflow::detect
