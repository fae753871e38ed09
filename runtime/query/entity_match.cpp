#include "runtime/query/entity_match.hpp"

#include "runtime/model/entity.hpp"

namespace seerflow::query {

entity_arg split_entity_arg(std::string_view text) {
  const auto colon = text.find(':');
  if (colon != std::string_view::npos && model::entity_type_from(text.substr(0, colon)))
    return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
  return {std::nullopt, std::string(text)};
}

}  // namespace seerflow::query
