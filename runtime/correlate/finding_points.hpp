#pragma once
// What a finding is worth to its entity's risk, before decay.
#include "runtime/correlate/settings.hpp"
#include "runtime/model/finding.hpp"

namespace seerflow::correlate {

// Sigma findings by their severity; anomaly, correlation and graph findings at their flat rate;
// anything else (risk and kill-chain alerts themselves) 0, so correlation never feeds on itself.
double finding_points(const points_table& p, const model::finding& f);

}  // namespace seerflow::correlate
