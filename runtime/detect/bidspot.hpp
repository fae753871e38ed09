#pragma once
// biDSPOT (Siffer, Fouque, Termier & Largouet, KDD 2017): thresholds with a chosen false-alarm
// risk q, set by extreme value theory instead of by hand. Values are taken relative to a moving
// average of the last d normal values (the drift term, so a slow trend is followed, not flagged);
// the excesses over an initial quantile are fitted with a GPD on each side, so both a spike and
// a drop (a silence) are alarms. A stream's scores come in runs (a burst is hundreds of high
// scores in a row), so excesses are declustered: each run over the initial quantile gives the
// fit one peak, its maximum, and the threshold's rate N_t / n counts runs.
#include <cstdint>
#include <vector>

#include "runtime/detect/gpd_fit.hpp"
#include "runtime/detect/settings.hpp"
#include "runtime/util/byte_codec.hpp"

namespace seerflow::detect {

enum class direction : std::uint8_t { none, upper, lower };

class bidspot {
 public:
  // upper_only: one tail (SPOT with drift) for a series where only "too high" is news, such as
  // a magnitude; its low values are ordinary, never alarms.
  explicit bidspot(const dspot_settings& s, bool upper_only = false);

  struct result {
    bool calibrated = false;  // false while the drift window and the calibration set fill
    bool alarm = false;
    direction dir = direction::none;
    double upper = 0;  // thresholds in the input's scale (drift included)
    double lower = 0;
  };
  result update(double x);
  bool calibrated() const { return phase_ == phase::running; }
  // Current thresholds in the input's scale (meaningful once calibrated).
  double upper_threshold() const { return drift() + up_.z; }
  double lower_threshold() const { return drift() - low_.z; }
  double drift() const;
  std::uint64_t alarms() const { return alarms_; }
  // The current GPD fits (for tests and inspection).
  gpd_fit upper_fit() const { return up_.fit; }
  gpd_fit lower_fit() const { return low_.fit; }

  void snapshot(util::byte_writer& w) const;
  bool restore(util::byte_reader& r);

 private:
  // One tail of SPOT on values already made relative to the drift (and negated for the lower).
  struct tail {
    double t = 0;  // initial threshold
    double z = 0;  // alarm threshold
    gpd_fit fit;
    std::vector<double> peaks;  // ring of the most recent excesses over t
    std::uint32_t head = 0;     // next slot to overwrite once the ring is full
    std::uint64_t n_peaks = 0;  // excesses ever seen (N_t)
    std::uint32_t since_fit = 0;
    std::uint64_t fit_at = 0;  // n at the last fit
    // The largest excess of the run of exceedances under way (0: none). Consecutive values over
    // t are one cluster and enter the peaks as its maximum when the run ends (runs
    // declustering): a stream's scores are not independent, and a burst whose score climbs a
    // little with every event (a bucket's count growing through a volume spike) otherwise fed
    // the fit hundreds of peaks in a row and pushed the threshold up just ahead of the scores.
    double run_max = 0;
    std::uint32_t run_length = 0;
  };
  enum class phase : std::uint8_t { drift_fill, calibrating, running };

  void calibrate();
  void add_peak(tail& t, double excess);
  // The run of exceedances of t: extends it with this excess, or (excess < 0: the value was
  // under t) closes it into one peak.
  void run_step(tail& t, double excess);
  // One-sided with a drift term: a run longer than max_run values feeds the drift rather than
  // being cut into several peaks (a lower tail would otherwise alarm while the level comes
  // back down, and without a drift nothing else follows a lasting shift).
  bool follows_runs() const { return upper_only_ && s_.depth > 0; }
  void refit(tail& t);
  void push_drift(double x);
  static void snapshot_tail(util::byte_writer& w, const tail& t);
  bool restore_tail(util::byte_reader& r, tail& t) const;

  dspot_settings s_;
  bool upper_only_ = false;
  phase phase_ = phase::drift_fill;
  std::vector<double> window_;  // ring of the last d normal values
  std::uint32_t window_head_ = 0;
  double window_sum_ = 0;
  std::vector<double> init_;  // calibration values, relative to the drift
  std::uint64_t n_ = 0;       // normal observations counted by SPOT (n)
  tail up_, low_;
  std::uint64_t alarms_ = 0;
};

}  // namespace seerflow::detect
