#pragma once
// Sigma value modifiers: validation of a `field|mod|mod` chain and compilation of the item's
// values into value_tests (wildcards, encodings, windash, regex, cidr, comparisons...).
// Illegal chains fail with a reason naming the modifier; the caller rejects the rule.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rules/engine/rule.hpp"

namespace seerflow::rules {

// A scalar as written in the rule. Quoted YAML scalars are always strings.
struct rule_value {
  enum class kind : std::uint8_t { string, number, boolean, null };
  kind k = kind::string;
  std::string text;  // the scalar's text (numbers keep their spelling)
  double number = 0;
  bool flag = false;
};

// Values for `expand` placeholders (`%Workstations%` -> list), from the caller's config.
using placeholder_map = std::map<std::string, std::vector<std::string>, std::less<>>;

struct compile_context {
  field_registry* fields = nullptr;
  const placeholder_map* placeholders = nullptr;
};

// Compiles `key: values`; on failure returns false and sets `error`.
bool compile_item(std::string_view key, const std::vector<rule_value>& values, compile_context& ctx,
                  detection_item& out, std::string& error);

// Encodings used by the modifiers, exposed for tests.
std::string base64_encode(std::string_view bytes);
std::vector<std::string> base64_offsets(std::string_view bytes);
std::string utf16_encode(std::string_view utf8, bool big_endian);
std::vector<sigma_string> windash_variants(const sigma_string& s, std::size_t limit);

}  // namespace seerflow::rules
