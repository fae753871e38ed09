#include "runtime/config/read_context.hpp"

#include <algorithm>

#include "runtime/config/interpolate.hpp"
#include "runtime/config/value_syntax.hpp"

namespace seerflow::config {
namespace {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("prot"/"port").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

}  // namespace

void read_context::error(const yaml_node& at, const std::string& key, std::string message) {
  errors_.push_back({where(at), escape_for_message(key, 1000), std::move(message)});
}

bool read_context::scalar(const yaml_node& value, const std::string& key, std::string_view expected,
                          std::string& out) {
  if (value.is_alias()) {
    error(value, key,
          "YAML aliases are not supported (*" + value.text + "); write the value out in full");
    return false;
  }
  if (!value.is_scalar()) {
    error(value, key,
          "expected " + std::string(expected) + ", got " + std::string(describe_kind(value.type)));
    return false;
  }
  interpolation_errors_.clear();
  if (interpolate(value.text, env_, out, interpolation_errors_)) return true;
  for (auto& message : interpolation_errors_) error(value, key, std::move(message));
  return false;
}

std::string suggest(std::string_view key, const std::vector<std::string>& candidates) {
  if (key.size() > 3 && key.ends_with("_ms")) {
    const std::string_view stem = key.substr(0, key.size() - 3);
    for (const auto& c : candidates) {
      if (c == stem) return c;
    }
  }
  // Keys this long are not typos of anything we know; skip the quadratic comparison.
  if (key.size() > 256) return {};
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(key, c);
    if (d < best_distance && d < key.size()) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string unknown_key_message(std::string_view key, const std::vector<std::string>& candidates) {
  const std::string near = suggest(key, candidates);
  if (near.empty()) return "unknown key";
  return "unknown key; did you mean '" + near + "'?";
}

}  // namespace seerflow::config
