#include "runtime/detect/bidspot.hpp"

#include <algorithm>
#include <cmath>

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x44;  // 'D'
constexpr std::uint8_t snapshot_version = 4;
// Excesses needed before the GPD's shape is fitted rather than assumed 0 (exponential).
constexpr std::size_t min_gpd_peaks = 32;
// The largest GPD shape the fit may keep.
constexpr double max_xi = 0.5;
// The longest run of exceedances taken as one cluster (see run_step).
constexpr std::uint32_t max_run = 64;

dspot_settings sanitised(dspot_settings s) {
  s.n_init = std::clamp<std::uint32_t>(s.n_init, 10, 1u << 22);
  if (!(s.init_quantile > 0 && s.init_quantile < 1)) s.init_quantile = 0.98;
  if (!(s.q > 0 && s.q < 1)) s.q = 1e-4;
  s.depth = std::min<std::uint32_t>(s.depth, 1u << 20);
  s.max_peaks = std::clamp<std::uint32_t>(s.max_peaks, 8, 1u << 20);
  s.refit_every = std::max<std::uint32_t>(s.refit_every, 1);
  return s;
}

// SPOT's threshold: the (1 - q) quantile of the whole distribution, from the GPD of the excesses
// over t and the observed rate N_t / n of exceeding t.
double quantile(double t, const gpd_fit& f, double q, std::uint64_t n, std::uint64_t n_peaks) {
  if (n_peaks == 0 || n == 0) return t;
  const double r = q * static_cast<double>(n) / static_cast<double>(n_peaks);
  if (std::abs(f.xi) < 1e-9) return t - f.sigma * std::log(r);
  return t + f.sigma / f.xi * (std::pow(r, -f.xi) - 1.0);
}
}  // namespace

bidspot::bidspot(const dspot_settings& s, bool upper_only)
    : s_(sanitised(s)), upper_only_(upper_only) {
  window_.reserve(s_.depth);
  init_.reserve(s_.n_init);
  if (s_.depth == 0) phase_ = phase::calibrating;
}

double bidspot::drift() const {
  return window_.empty() ? 0.0 : window_sum_ / static_cast<double>(window_.size());
}

void bidspot::push_drift(double x) {
  if (s_.depth == 0) return;
  if (window_.size() < s_.depth) {
    window_.push_back(x);
    window_sum_ += x;
    return;
  }
  window_sum_ += x - window_[window_head_];
  window_[window_head_] = x;
  if (++window_head_ == s_.depth) {
    // Re-add from scratch once per lap so rounding in the running sum cannot accumulate.
    window_head_ = 0;
    window_sum_ = 0;
    for (double v : window_) window_sum_ += v;
  }
}

void bidspot::refit(tail& t) {
  if (t.peaks.size() < min_gpd_peaks) {
    // A shape estimated from a handful of excesses swings wildly (measured on real logs after a
    // 200-event calibration: xi near 1 and thresholds 10^4 times the scores); until there are
    // enough, the tail is taken as exponential, whose one parameter is the mean excess.
    double sum = 0;
    for (double v : t.peaks) sum += v;
    t.fit = gpd_fit{};
    t.fit.sigma = t.peaks.empty() ? 1.0 : std::max(sum / static_cast<double>(t.peaks.size()), 1e-9);
  } else {
    t.fit = fit_gpd(t.peaks);
    // The scores thresholded here are bounded (capped z-scores), so a heavy fitted tail is an
    // artefact of a gap among few peaks; left as fitted (measured: xi near 2 on a real log), the
    // extrapolated quantile reached 1e17 and nothing could ever alarm again. Capped where the
    // variance of the tail is still finite.
    t.fit.xi = std::min(t.fit.xi, max_xi);
  }
  t.since_fit = 0;
  t.fit_at = n_;
  t.z = quantile(t.t, t.fit, s_.q, n_, t.n_peaks);
}

void bidspot::add_peak(tail& t, double excess) {
  if (t.peaks.size() < s_.max_peaks) {
    t.peaks.push_back(excess);
  } else {
    t.peaks[t.head] = excess;
    t.head = (t.head + 1) % s_.max_peaks;
  }
  ++t.n_peaks;
  // A fit costs O(peaks * grid); refitting every few excesses keeps the per-observation cost
  // small, and the threshold itself moves with every excess through N_t / n.
  // While the peak set is still filling (just after a short calibration) each fit rests on a
  // handful of excesses, so it is redone whenever the set has grown by a quarter; small fits
  // are cheap.
  const std::size_t due =
      t.peaks.size() < s_.max_peaks
          ? std::min<std::size_t>(s_.refit_every, std::max<std::size_t>(1, t.peaks.size() / 4))
          : s_.refit_every;
  // Once the set is full, refits are also spaced by the observations the calibrated excess
  // rate needs to renew refit_every of them: when a drift lifts most scores over t, excesses come
  // at nearly every event, and refitting every refit_every of them cost more than everything
  // else on the event path (measured: 640 ns per event in bench_detect_ensemble).
  const auto spacing = static_cast<std::uint64_t>(s_.refit_every / (1.0 - s_.init_quantile));
  const bool settled = t.peaks.size() >= s_.max_peaks && n_ - t.fit_at < spacing;
  if (++t.since_fit >= due && !settled)
    refit(t);
  else
    t.z = quantile(t.t, t.fit, s_.q, n_, t.n_peaks);
}

void bidspot::run_step(tail& t, double excess) {
  if (excess >= 0) {
    // Strictly positive so that an open run is never mistaken for none.
    t.run_max = std::max(t.run_max, std::max(excess, 1e-12));
    // A lasting shift above t is one endless run, and the drift (learning only values under t)
    // does not follow it, so past max_run values something must give, or every later value
    // would alarm. One-sided with a drift term, the run's further values feed the drift (see
    // update): the level follows the shift as DSPOT means it to, and a burst of hundreds of
    // alarms stays one cluster (cut into a peak per 64 values instead, one spike lifted the
    // threshold of Loghub's HealthApp log from 12.6 to 22, over the next anomaly). Otherwise
    // the run is cut into one peak per max_run values, and the threshold rises to the shift.
    if (t.run_length < max_run || (follows_runs() && t.run_length < 0xffffffffu)) ++t.run_length;
    if (follows_runs() || t.run_length < max_run) return;
  }
  if (t.run_max > 0) add_peak(t, t.run_max);
  t.run_max = 0;
  t.run_length = 0;
}

void bidspot::calibrate() {
  std::vector<double> sorted = init_;
  std::sort(sorted.begin(), sorted.end());
  const auto at = [&](double level) {
    const auto i = static_cast<std::size_t>(level * static_cast<double>(sorted.size() - 1));
    return sorted[std::min(i, sorted.size() - 1)];
  };
  up_.t = at(s_.init_quantile);
  low_.t = -at(1.0 - s_.init_quantile);
  n_ = init_.size();
  for (double v : init_) {
    if (v > up_.t) {
      up_.peaks.size() < s_.max_peaks ? up_.peaks.push_back(v - up_.t) : void();
      ++up_.n_peaks;
    }
    if (-v > low_.t) {
      low_.peaks.size() < s_.max_peaks ? low_.peaks.push_back(-v - low_.t) : void();
      ++low_.n_peaks;
    }
  }
  refit(up_);
  refit(low_);
  init_.clear();
  init_.shrink_to_fit();
  phase_ = phase::running;
}

bidspot::result bidspot::update(double x) {
  result r;
  if (!std::isfinite(x)) return r;
  if (phase_ == phase::drift_fill) {
    push_drift(x);
    if (window_.size() >= s_.depth) phase_ = phase::calibrating;
    return r;
  }
  const double m = drift();
  const double v = x - m;
  if (phase_ == phase::calibrating) {
    init_.push_back(v);
    push_drift(x);
    if (init_.size() >= s_.n_init) calibrate();
    if (phase_ == phase::running) {
      r.calibrated = true;
      r.upper = upper_threshold();
      r.lower = lower_threshold();
    }
    return r;
  }
  r.calibrated = true;
  r.upper = m + up_.z;
  r.lower = m - low_.z;
  if (v > up_.z) {
    r.alarm = true;
    r.dir = direction::upper;
  } else if (!upper_only_ && -v > low_.z) {
    r.alarm = true;
    r.dir = direction::lower;
  }
  ++n_;
  if (r.alarm) {
    // An alarm does not move the drift, but it does count in its tail. The paper drops it; that
    // censors the largest excesses, the refit lightens the tail, the threshold sinks and censors
    // more, and with a bounded peak set the feedback runs away (measured: 13x q on i.i.d. data).
    // Kept as observed, one anomaly fattens the tail; kept capped at a multiple of the threshold,
    // a burst of them (a volume spike is hundreds of alarms in a row) ratchets it up, each alarm
    // lifting the cap of the next (measured: thresholds from 7 to 43 after one spike, above
    // every later anomaly). So the excess enters as what the current fit expects of a value
    // beyond the threshold: its conditional mean, z + (sigma + xi (z - t)) / (1 - xi). That
    // keeps the fit where it is, counts the exceedance, and lets no single value, however
    // extreme, move the tail. It joins the run of exceedances under way like any other value.
    ++alarms_;
    tail& t = r.dir == direction::upper ? up_ : low_;
    const double over = t.z - t.t;
    const double xi = std::min(t.fit.xi, max_xi);
    const double expected = over + (t.fit.sigma + xi * over) / (1.0 - xi);
    const double excess = (r.dir == direction::upper ? v : -v) - t.t;
    run_step(t, std::min(excess, expected));
    // The other tail's run (if any) has ended: this value is on the far side.
    run_step(r.dir == direction::upper ? low_ : up_, -1);
    if (follows_runs() && up_.run_length >= max_run) push_drift(x);
    return r;
  }
  run_step(up_, v > up_.t ? v - up_.t : -1);
  if (follows_runs() && up_.run_length >= max_run) {
    push_drift(x);
    return r;
  }
  if (!upper_only_) run_step(low_, -v > low_.t ? -v - low_.t : -1);
  // The drift learns the level, not the tails: a value beyond an initial threshold is a peak,
  // for its tail's fit, and stays out of the moving average. With peaks in it, a burst of high
  // values just under the alarm line lifted the level until the lower threshold rose above the
  // ordinary values; those then alarmed as "lower", alarms never enter the drift, and the level
  // stayed up for good (measured: every event flagged after a volume spike).
  if (v <= up_.t && (upper_only_ || -v <= low_.t)) push_drift(x);
  return r;
}

void bidspot::snapshot_tail(util::byte_writer& w, const tail& t) {
  w.f64(t.t);
  w.f64(t.z);
  w.f64(t.fit.xi);
  w.f64(t.fit.sigma);
  w.f64(t.fit.log_likelihood);
  w.u8(static_cast<std::uint8_t>(t.fit.how));
  w.varint(t.peaks.size());
  for (double p : t.peaks) w.f64(p);
  w.varint(t.head);
  w.varint(t.n_peaks);
  w.varint(t.since_fit);
  w.varint(t.fit_at);
  w.f64(t.run_max);
  w.varint(t.run_length);
}

bool bidspot::restore_tail(util::byte_reader& r, tail& t) const {
  t.t = r.f64();
  t.z = r.f64();
  t.fit.xi = r.f64();
  t.fit.sigma = r.f64();
  t.fit.log_likelihood = r.f64();
  const auto how = r.u8();
  const std::uint64_t n = r.varint();
  if (!r.ok() || how > 2 || n > s_.max_peaks || !r.plausible_count(n, 8)) return false;
  t.fit.how = static_cast<gpd_fit::method>(how);
  t.peaks.resize(n);
  for (auto& p : t.peaks) {
    p = r.f64();
    if (!(p >= 0) || !std::isfinite(p)) return false;
  }
  const std::uint64_t head = r.varint();
  t.n_peaks = r.varint();
  const std::uint64_t since = r.varint();
  t.fit_at = r.varint();
  t.run_max = r.f64();
  const std::uint64_t run_length = r.varint();
  if (!(t.run_max >= 0) || !std::isfinite(t.run_max) ||
      (!follows_runs() && run_length >= max_run) || run_length > 0xffffffffu)
    return false;
  t.run_length = static_cast<std::uint32_t>(run_length);
  if (!r.ok() || (head != 0 && head >= n) || since > t.n_peaks || t.n_peaks < n) return false;
  t.head = static_cast<std::uint32_t>(head);
  t.since_fit = static_cast<std::uint32_t>(since);
  return std::isfinite(t.t) && !std::isnan(t.z) && std::isfinite(t.fit.xi) &&
         std::isfinite(t.fit.sigma);
}

void bidspot::snapshot(util::byte_writer& w) const {
  w.u8(snapshot_tag);
  w.u8(snapshot_version);
  w.varint(s_.n_init);
  w.varint(s_.depth);
  w.varint(s_.max_peaks);
  w.f64(s_.q);
  w.f64(s_.init_quantile);
  w.u8(static_cast<std::uint8_t>(upper_only_));
  w.u8(static_cast<std::uint8_t>(phase_));
  w.varint(window_.size());
  for (double v : window_) w.f64(v);
  w.varint(window_head_);
  w.f64(window_sum_);
  w.varint(init_.size());
  for (double v : init_) w.f64(v);
  w.varint(n_);
  w.varint(alarms_);
  snapshot_tail(w, up_);
  snapshot_tail(w, low_);
}

bool bidspot::restore(util::byte_reader& r) {
  if (r.u8() != snapshot_tag || r.u8() != snapshot_version) return false;
  if (r.varint() != s_.n_init || r.varint() != s_.depth || r.varint() != s_.max_peaks) return false;
  if (r.f64() != s_.q || r.f64() != s_.init_quantile) return false;
  if (r.u8() != static_cast<std::uint8_t>(upper_only_)) return false;
  bidspot b(s_, upper_only_);
  const auto ph = r.u8();
  const std::uint64_t wn = r.varint();
  if (!r.ok() || ph > 2 || wn > s_.depth || !r.plausible_count(wn, 8)) return false;
  b.phase_ = static_cast<phase>(ph);
  b.window_.resize(wn);
  for (auto& v : b.window_) v = r.f64();
  const std::uint64_t head = r.varint();
  b.window_sum_ = r.f64();
  const std::uint64_t in = r.varint();
  if (!r.ok() || (head != 0 && head >= wn) || in > s_.n_init || !r.plausible_count(in, 8))
    return false;
  b.window_head_ = static_cast<std::uint32_t>(head);
  b.init_.resize(in);
  for (auto& v : b.init_) v = r.f64();
  b.n_ = r.varint();
  b.alarms_ = r.varint();
  if (!r.ok() || !restore_tail(r, b.up_) || !restore_tail(r, b.low_)) return false;
  // The phase must agree with how full the buffers are, or update() would index past them.
  if (b.phase_ == phase::drift_fill && (wn >= s_.depth || in != 0)) return false;
  if (b.phase_ != phase::drift_fill && wn != s_.depth) return false;
  if (b.phase_ == phase::running && in != 0) return false;
  if (b.phase_ == phase::calibrating && in >= s_.n_init) return false;
  for (double v : b.window_)
    if (!std::isfinite(v)) return false;
  for (double v : b.init_)
    if (!std::isfinite(v)) return false;
  if (!std::isfinite(b.window_sum_)) return false;
  *this = std::move(b);
  return true;
}

}  // namespace seerflow::detect
