#pragma once
// Additive Holt-Winters (level, trend, season) over one series of bucket counts, scoring each
// bucket by its standardised forecast error. Until a full season has been seen it forecasts with
// level and trend only, so it scores from the first buckets instead of after a day.
#include <cstdint>
#include <vector>

#include "runtime/detect/settings.hpp"
#include "runtime/util/byte_codec.hpp"

namespace seerflow::detect {

class holt_winters {
 public:
  explicit holt_winters(const holt_winters_settings& s);

  struct result {
    double forecast = 0;
    double z = 0;  // (y - forecast) / error sd; negative = fewer than expected
    bool warm = false;
  };
  // Scores y against the forecast made before it, then learns from it.
  result update(double y);
  // The forecast for the next bucket and the sd its error is measured in.
  double forecast() const;
  double error_sd() const;
  bool warm() const { return n_ >= s_.warmup_buckets && n_ > 0; }
  bool season_learned() const { return n_ >= s_.season_buckets; }
  std::uint64_t buckets_seen() const { return n_; }

  void snapshot(util::byte_writer& w) const;
  bool restore(util::byte_reader& r);

 private:
  holt_winters_settings s_;
  std::uint64_t n_ = 0;
  double level_ = 0, trend_ = 0, err_var_ = 0;
  // During the first season: the raw values; afterwards: the seasonal components.
  std::vector<double> season_;
};

}  // namespace seerflow::detect
