#pragma once
// Maximum-likelihood fit of a generalised Pareto distribution to threshold excesses, by
// Grimshaw's (1993) reduction to a one-dimensional root search, as SPOT uses it.
#include <cstdint>
#include <span>

namespace seerflow::detect {

struct gpd_fit {
  enum class method : std::uint8_t { grimshaw, exponential, moments };
  double xi = 0;     // shape (gamma in Siffer et al.)
  double sigma = 1;  // scale
  double log_likelihood = 0;
  method how = method::exponential;
};

// Excesses must be >= 0. Fewer than three, or all equal, fall back to an exponential fit (xi = 0,
// sigma = mean); when no candidate has a finite likelihood, to the method of moments.
gpd_fit fit_gpd(std::span<const double> excesses);

// Log-likelihood of the excesses under GPD(xi, sigma); -inf when a point is outside the support.
double gpd_log_likelihood(std::span<const double> excesses, double xi, double sigma);

}  // namespace seerflow::detect
