#include "runtime/parse/masking.hpp"

#include <array>

namespace seerflow::parse {
namespace {

constexpr std::array<std::string_view, 18> kind_names = {
    "ipv4", "ipv6",      "mac",        "uuid",    "hex",      "number",
    "url",  "email",     "domain",     "path",    "datetime", "duration",
    "size", "key_value", "identifier", "boolean", "account",  "regex"};

}  // namespace

std::vector<mask> default_masks() {
  std::vector<mask> out;
  for (std::size_t k = 0; k + 1 < kind_names.size(); ++k) {
    out.push_back(mask{static_cast<mask_kind>(k), {}});
  }
  return out;
}

std::string_view mask_kind_name(mask_kind k) {
  const auto i = static_cast<std::size_t>(k);
  return i < kind_names.size() ? kind_names[i] : std::string_view{"unknown"};
}

bool mask_kind_from_name(std::string_view name, mask_kind& out) {
  for (std::size_t k = 0; k < kind_names.size(); ++k) {
    if (kind_names[k] == name) {
      out = static_cast<mask_kind>(k);
      return true;
    }
  }
  return false;
}

}  // namespace seerflow::parse
