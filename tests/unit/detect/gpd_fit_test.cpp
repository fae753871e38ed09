// The GPD fit recovers known parameters from synthetic samples (heavy, light and exponential
// tails) and falls back sensibly when the sample is degenerate.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "runtime/detect/gpd_fit.hpp"

using namespace seerflow;
using detect::fit_gpd;
using detect::gpd_fit;

namespace {
std::vector<double> sample(double xi, double sigma, int n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    const double v = 1.0 - u(rng);  // (0, 1]
    out.push_back(std::abs(xi) < 1e-12 ? -sigma * std::log(v)
                                       : sigma / xi * (std::pow(v, -xi) - 1.0));
  }
  return out;
}
}  // namespace

TEST_CASE("the GPD fit recovers xi = 0.2, sigma = 1 from 5000 samples") {
  const auto y = sample(0.2, 1.0, 5000, 41);
  const gpd_fit f = fit_gpd(y);
  CHECK(f.how == gpd_fit::method::grimshaw);
  CHECK(f.xi == Approx(0.2).margin(0.05));
  CHECK(f.sigma == Approx(1.0).margin(0.06));
}

TEST_CASE("the GPD fit recovers a bounded tail (xi < 0)") {
  const auto y = sample(-0.25, 2.0, 5000, 43);
  const gpd_fit f = fit_gpd(y);
  CHECK(f.xi == Approx(-0.25).margin(0.05));
  CHECK(f.sigma == Approx(2.0).margin(0.12));
}

TEST_CASE("the GPD fit recovers an exponential tail") {
  const auto y = sample(0.0, 1.5, 5000, 47);
  const gpd_fit f = fit_gpd(y);
  CHECK(f.xi == Approx(0.0).margin(0.05));
  CHECK(f.sigma == Approx(1.5).margin(0.1));
}

TEST_CASE("the maximum-likelihood fit is at least as likely as the exponential") {
  const auto y = sample(0.4, 0.5, 800, 53);
  const gpd_fit f = fit_gpd(y);
  double mean = 0;
  for (double v : y) mean += v / static_cast<double>(y.size());
  CHECK(f.log_likelihood >= detect::gpd_log_likelihood(y, 0.0, mean));
  CHECK(f.log_likelihood == Approx(detect::gpd_log_likelihood(y, f.xi, f.sigma)));
}

TEST_CASE("degenerate samples fall back to an exponential fit") {
  const std::vector<double> same(10, 2.0);
  auto f = fit_gpd(same);
  CHECK(f.how == gpd_fit::method::exponential);
  CHECK(f.xi == 0);
  CHECK(f.sigma == 2.0);
  const std::vector<double> two = {1.0, 3.0};
  f = fit_gpd(two);
  CHECK(f.how == gpd_fit::method::exponential);
  CHECK(f.sigma == 2.0);
  f = fit_gpd(std::vector<double>{});
  CHECK(f.sigma > 0);
  const std::vector<double> zeros(5, 0.0);
  f = fit_gpd(zeros);
  CHECK(f.sigma > 0);
  CHECK(std::isfinite(f.sigma));
}
