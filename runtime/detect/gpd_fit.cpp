#include "runtime/detect/gpd_fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace seerflow::detect {

namespace {

constexpr double neg_inf = -std::numeric_limits<double>::infinity();

// Grimshaw: at a stationary point of the likelihood, with x = xi / sigma,
//   u(x) v(x) = 1, u(x) = mean(1 / (1 + x y)), v(x) = 1 + mean(ln(1 + x y)),
// and then xi = v(x) - 1, sigma = xi / x.
struct uv {
  double u, v;
};
uv eval(std::span<const double> y, double x) {
  double su = 0, sv = 0;
  for (double yi : y) {
    const double s = 1.0 + x * yi;
    su += 1.0 / s;
    sv += std::log(s);
  }
  const double n = static_cast<double>(y.size());
  return {su / n, 1.0 + sv / n};
}
double w_of(std::span<const double> y, double x) {
  const auto r = eval(y, x);
  return r.u * r.v - 1.0;
}

// Sign changes of w on a grid over [a, b], each refined by regula falsi with the Illinois
// modification (superlinear, and never leaves the bracket). A fit runs every few excesses on the
// event path, so evaluations of w (one pass over the excesses each) are what it costs.
void find_roots(std::span<const double> y, double a, double b, bool geometric,
                std::vector<double>& roots) {
  constexpr int grid = 12;
  constexpr int max_iter = 40;
  double prev_x = a, prev_w = w_of(y, a);
  for (int i = 1; i <= grid; ++i) {
    const double f = static_cast<double>(i) / grid;
    const double x = geometric ? a * std::pow(b / a, f) : a + (b - a) * f;
    const double wx = w_of(y, x);
    if (std::isfinite(prev_w) && std::isfinite(wx) && (prev_w < 0) != (wx < 0)) {
      double lo = prev_x, hi = x, wlo = prev_w, whi = wx;
      double root = 0.5 * (lo + hi);
      int side = 0;
      for (int k = 0; k < max_iter; ++k) {
        root = (lo * whi - hi * wlo) / (whi - wlo);
        if (!(root > std::min(lo, hi) && root < std::max(lo, hi))) root = 0.5 * (lo + hi);
        const double wr = w_of(y, root);
        if (wr == 0 || std::abs(hi - lo) <= 1e-12 * std::abs(root)) break;
        if ((wr < 0) == (wlo < 0)) {
          lo = root, wlo = wr;
          if (side == -1) whi *= 0.5;
          side = -1;
        } else {
          hi = root, whi = wr;
          if (side == 1) wlo *= 0.5;
          side = 1;
        }
        if (std::abs(wr) < 1e-14) break;
      }
      roots.push_back(root);
    }
    prev_x = x;
    prev_w = wx;
  }
}

gpd_fit exponential(std::span<const double> y, double mean) {
  gpd_fit f;
  f.how = gpd_fit::method::exponential;
  f.xi = 0;
  f.sigma = mean > 0 ? mean : std::numeric_limits<double>::min();
  f.log_likelihood = gpd_log_likelihood(y, 0, f.sigma);
  return f;
}

}  // namespace

double gpd_log_likelihood(std::span<const double> y, double xi, double sigma) {
  if (!(sigma > 0)) return neg_inf;
  const double n = static_cast<double>(y.size());
  if (std::abs(xi) < 1e-12) {
    double s = 0;
    for (double yi : y) s += yi;
    return -n * std::log(sigma) - s / sigma;
  }
  double s = 0;
  for (double yi : y) {
    const double t = 1.0 + xi * yi / sigma;
    if (!(t > 0)) return neg_inf;
    s += std::log(t);
  }
  return -n * std::log(sigma) - (1.0 + 1.0 / xi) * s;
}

gpd_fit fit_gpd(std::span<const double> y) {
  if (y.empty())
    return gpd_fit{0, std::numeric_limits<double>::min(), 0, gpd_fit::method::exponential};
  double ymin = y[0], ymax = y[0], sum = 0;
  for (double v : y) {
    ymin = std::min(ymin, v);
    ymax = std::max(ymax, v);
    sum += v;
  }
  const double n = static_cast<double>(y.size());
  const double mean = sum / n;
  gpd_fit best = exponential(y, mean);
  if (y.size() < 3 || !(ymax > ymin) || !(mean > 0)) return best;

  // Siffer et al.: the roots lie in (-1/ymax, 0) and (0, 2 (mean - ymin) / ymin^2). Keep away
  // from 0 (always a trivial root) and from the pole at -1/ymax.
  std::vector<double> roots;
  const double eps = 1e-8 / mean;
  find_roots(y, -1.0 / ymax + eps, -eps, false, roots);
  // With ymin near 0 the upper bound is huge; cap it where xi/sigma stops mattering.
  double upper = ymin > 0 ? 2.0 * (mean - ymin) / (ymin * ymin) : 1e6 / mean;
  upper = std::min(upper, 1e6 / mean);
  if (upper > eps) find_roots(y, eps, upper, true, roots);

  for (double x : roots) {
    const auto r = eval(y, x);
    const double xi = r.v - 1.0;
    const double sigma = xi / x;
    const double ll = gpd_log_likelihood(y, xi, sigma);
    if (std::isfinite(ll) && ll > best.log_likelihood)
      best = gpd_fit{xi, sigma, ll, gpd_fit::method::grimshaw};
  }
  if (!std::isfinite(best.log_likelihood)) {
    // Method of moments: xi = (1 - mean^2/var) / 2, sigma = mean (1 + mean^2/var) / 2.
    double var = 0;
    for (double v : y) var += (v - mean) * (v - mean);
    var /= n;
    if (var > 0) {
      const double r = mean * mean / var;
      best = gpd_fit{0.5 * (1 - r), 0.5 * mean * (1 + r), 0, gpd_fit::method::moments};
      best.log_likelihood = gpd_log_likelihood(y, best.xi, best.sigma);
    }
  }
  return best;
}

}  // namespace seerflow::detect
