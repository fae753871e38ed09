#pragma once
// A YAML document as a plain tree with 1-based positions, built from yaml-cpp's parser events.
// We build our own tree rather than use YAML::Node so that hostile input stays cheap: aliases
// are kept as unexpanded references (the loader refuses them, so billion-laughs input costs
// linear time and memory), nesting and node counts are capped, and duplicate keys stay visible.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/config/config_error.hpp"

namespace seerflow::config {

struct yaml_node {
  enum class kind : std::uint8_t { null, scalar, sequence, mapping, alias };
  kind type = kind::null;
  int line = 0;                  // 1-based
  int column = 0;                // 1-based
  std::string text;              // scalar value; anchor name for an alias
  std::vector<yaml_node> items;  // sequence items; mapping: key, value, key, value, ...

  bool is_null() const { return type == kind::null; }
  bool is_scalar() const { return type == kind::scalar; }
  bool is_sequence() const { return type == kind::sequence; }
  bool is_mapping() const { return type == kind::mapping; }
  bool is_alias() const { return type == kind::alias; }
};

// "a mapping", "a sequence", "a scalar", "an empty value", "an alias": for error messages.
std::string_view describe_kind(yaml_node::kind k);

struct yaml_limits {
  std::size_t max_bytes = 4u << 20;  // larger input is refused before parsing
  std::size_t max_depth = 64;        // nested collections
  std::size_t max_nodes = 200000;
};

struct yaml_document {
  yaml_node root;  // null for an empty input (or one holding only comments)
  std::vector<config_error> errors;
};

// Parses one YAML document. Errors carry `origin` as their file; the input must be UTF-8 text
// (binary or non-UTF-8 input is refused with a positioned error), hold at most one document
// and stay within `limits`. Never throws.
yaml_document parse_yaml_document(std::string_view text, const std::string& origin,
                                  const yaml_limits& limits = {});

}  // namespace seerflow::config
