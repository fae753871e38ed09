#pragma once
// Shared plumbing of the settings loader and the supervision-tree reader: error collection with
// positions, scalar extraction with ${VAR} interpolation, and mapping iteration that reports
// non-scalar and duplicate keys. Internal to runtime/config.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "runtime/config/config_error.hpp"
#include "runtime/config/env_lookup.hpp"
#include "runtime/config/yaml_document.hpp"

namespace seerflow::config {

class read_context {
 public:
  read_context(const std::string& origin, const env_lookup& env, std::vector<config_error>& errors)
      : origin_(origin), env_(env), errors_(errors) {}

  const std::string& origin() const { return origin_; }
  std::size_t error_count() const { return errors_.size(); }

  location where(const yaml_node& n) const { return {origin_, n.line, n.column}; }

  // Key paths are escaped and cut (a hostile key must not break the one-error-per-line output).
  void error(const yaml_node& at, const std::string& key, std::string message);

  // The interpolated text of a scalar. Anything else (a collection, an alias, an empty value)
  // is reported as "expected <expected>, got ..." and yields false.
  bool scalar(const yaml_node& value, const std::string& key, std::string_view expected,
              std::string& out);

  // Calls fn(key, key_node, value_node) for each entry of `map` whose key is a scalar seen for
  // the first time; other keys are reported under `path`.
  template <class Fn>
  void for_each_entry(const yaml_node& map, const std::string& path, Fn&& fn) {
    std::unordered_map<std::string_view, const yaml_node*> seen;
    for (std::size_t i = 0; i + 1 < map.items.size(); i += 2) {
      const yaml_node& k = map.items[i];
      const yaml_node& v = map.items[i + 1];
      if (!k.is_scalar()) {
        error(k, path, "keys must be plain scalars, got " + std::string(describe_kind(k.type)));
        continue;
      }
      const std::string full = path.empty() ? k.text : path + "." + k.text;
      const auto [it, inserted] = seen.emplace(k.text, &k);
      if (!inserted) {
        error(k, full,
              "duplicate key (first defined at line " + std::to_string(it->second->line) +
                  ", column " + std::to_string(it->second->column) + ")");
        continue;
      }
      fn(k.text, k, v);
    }
  }

 private:
  const std::string& origin_;
  const env_lookup& env_;
  std::vector<config_error>& errors_;
  std::vector<std::string> interpolation_errors_;
};

// The closest of `candidates` to `key` within edit distance 2 (transpositions count as one
// edit), or a candidate equal to `key` without a trailing "_ms"; empty when none is close.
std::string suggest(std::string_view key, const std::vector<std::string>& candidates);

// "unknown key" plus "; did you mean 'x'?" when suggest() finds one.
std::string unknown_key_message(std::string_view key, const std::vector<std::string>& candidates);

}  // namespace seerflow::config
