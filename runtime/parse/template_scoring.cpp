#include "runtime/parse/template_scoring.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace seerflow::parse {
namespace {

double harmonic_mean(double a, double b) {
  return a + b > 0 ? 2 * a * b / (a + b) : 0.0;
}

// Numbers each distinct string in order of first appearance.
std::vector<std::size_t> intern(std::span<const std::string> values, std::size_t n,
                                std::size_t& distinct) {
  std::unordered_map<std::string_view, std::size_t> ids;
  std::vector<std::size_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto [it, fresh] = ids.try_emplace(values[i], ids.size());
    out[i] = it->second;
  }
  distinct = ids.size();
  return out;
}

}  // namespace

template_score score_templates(std::span<const std::string> truth,
                               std::span<const std::string> predicted) {
  template_score s;
  const std::size_t n = std::min(truth.size(), predicted.size());
  s.lines = n;
  if (n == 0) return s;
  const auto g = intern(truth, n, s.true_groups);
  const auto p = intern(predicted, n, s.predicted_groups);

  std::vector<std::size_t> true_size(s.true_groups, 0), pred_size(s.predicted_groups, 0);
  // For each predicted group: the one true group all its lines share, or npos when mixed.
  constexpr std::size_t mixed = static_cast<std::size_t>(-1);
  constexpr std::size_t unset = static_cast<std::size_t>(-2);
  std::vector<std::size_t> pred_truth(s.predicted_groups, unset);
  std::vector<std::size_t> pred_first_line(s.predicted_groups, 0);
  std::size_t pa_hits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ++true_size[g[i]];
    ++pred_size[p[i]];
    auto& t = pred_truth[p[i]];
    if (t == unset) {
      t = g[i];
      pred_first_line[p[i]] = i;
    } else if (t != g[i]) {
      t = mixed;
    }
    if (truth[i] == predicted[i]) ++pa_hits;
  }

  std::size_t ga_lines = 0, exact_groups = 0, template_groups = 0;
  for (std::size_t k = 0; k < s.predicted_groups; ++k) {
    const std::size_t t = pred_truth[k];
    if (t == mixed || t == unset) continue;
    // A pure group is exact when it holds every line of its true group.
    if (true_size[t] == pred_size[k]) {
      ga_lines += pred_size[k];
      ++exact_groups;
    }
    const std::size_t line = pred_first_line[k];
    if (truth[line] == predicted[line]) ++template_groups;
  }

  const double dn = static_cast<double>(n);
  s.ga = static_cast<double>(ga_lines) / dn;
  s.pa = static_cast<double>(pa_hits) / dn;
  const double pg = static_cast<double>(s.predicted_groups);
  const double tg = static_cast<double>(s.true_groups);
  s.fga =
      harmonic_mean(static_cast<double>(exact_groups) / pg, static_cast<double>(exact_groups) / tg);
  s.fta = harmonic_mean(static_cast<double>(template_groups) / pg,
                        static_cast<double>(template_groups) / tg);
  return s;
}

}  // namespace seerflow::parse
