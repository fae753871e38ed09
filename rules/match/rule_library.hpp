#pragma once
// Where a node's Sigma rules come from: the bundled rules compiled into the binary and the
// directories of sigma.rule_dirs, loaded into one immutable rule_set. Every rejection is kept
// with its file, rule and reason; the rules that load are used.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "rules/engine/rule_set.hpp"

namespace seerflow::rules {

struct library_options {
  bool bundled = true;
  std::vector<std::string> dirs;
  // "name=value[,value...]" entries (sigma.placeholders) for `expand`.
  std::vector<std::string> placeholders;
};

struct library_report {
  std::size_t files = 0, rules = 0, correlations = 0, filters = 0;
  std::vector<rejection> rejected;
};

// Never throws for bad rules (they are reported); throws std::runtime_error only when a
// directory cannot be read at all.
std::shared_ptr<const rule_set> load_library(const library_options& opts, library_report& report);

// The bundled rule files, as (path relative to rules/, text).
struct bundled_file {
  std::string_view path, text;
};
std::vector<bundled_file> bundled_rule_files();

}  // namespace seerflow::rules
