#pragma once
// Entities are the things a log line talks about (an address, an account, a machine...).
// Each has a canonical value and a deterministic UUID5 id, so the same thing seen by two
// sources, two nodes or two runs is one entity.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace seerflow::model {

using uuid = std::array<std::uint8_t, 16>;

enum class entity_type : std::uint8_t { ip = 0, user, host, file, domain, process };

inline constexpr std::array<std::string_view, 6> entity_type_names{"ip",   "user",   "host",
                                                                   "file", "domain", "process"};

constexpr std::string_view to_string(entity_type t) {
  return entity_type_names[static_cast<std::size_t>(t)];
}

constexpr std::optional<entity_type> entity_type_from(std::string_view s) {
  for (std::size_t i = 0; i < entity_type_names.size(); ++i)
    if (entity_type_names[i] == s) return static_cast<entity_type>(i);
  return std::nullopt;
}

struct entity_ref {
  entity_type type = entity_type::ip;
  std::string value;  // canonical form (see runtime/parse/entity_canonical.hpp)
  uuid id{};          // UUID5 in the namespace of `type`

  friend bool operator==(const entity_ref&, const entity_ref&) = default;
};

// A 64-bit key taken from the UUID's leading bytes: routes and indexes entities without
// carrying 16 bytes around. Collisions are ~1e-8 likely at a million entities; the full
// UUID is kept beside it wherever entities are stored.
constexpr std::uint64_t entity_key(const uuid& id) {
  std::uint64_t k = 0;
  for (int i = 0; i < 8; ++i) k = (k << 8) | id[i];
  return k;
}

}  // namespace seerflow::model
