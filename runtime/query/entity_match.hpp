#pragma once
// Splits an entity argument into its optional type and its value: "ip:10.0.0.1" -> (ip,
// 10.0.0.1); "2001:db8::1" stays one untyped value (only the six type names count as prefixes).
#include <optional>
#include <string>
#include <string_view>

namespace seerflow::query {

struct entity_arg {
  std::optional<std::string> type;
  std::string value;
};

entity_arg split_entity_arg(std::string_view text);

}  // namespace seerflow::query
