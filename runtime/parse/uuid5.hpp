#pragma once
// Name-based UUIDs (RFC 4122 section 4.3 / RFC 9562 section 5.5, version 5, SHA-1) and the
// per-type namespaces that make entity ids deterministic: the same (type, canonical value)
// gets the same id on every node, in every run and in every build.
#include <string>
#include <string_view>

#include "runtime/model/entity.hpp"

namespace seerflow::parse {

// RFC 4122 appendix C namespaces.
inline constexpr model::uuid namespace_dns{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1,
                                           0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
inline constexpr model::uuid namespace_url{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                           0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

// SHA-1 over the namespace's 16 bytes followed by `name`; the first 16 bytes of the digest
// with the version (5) and the RFC 4122 variant (10xx) set.
model::uuid uuid5(const model::uuid& ns, std::string_view name);

// Lowercase 8-4-4-4-12 form, e.g. "886313e1-3b8a-5372-9b90-0c9aee199e5d".
std::string format_uuid(const model::uuid& id);

// Accepts the 8-4-4-4-12 form (36 characters) or 32 bare hex digits, in either case. Returns
// false (and leaves `out` untouched) on anything else.
bool parse_uuid(std::string_view s, model::uuid& out);

// The namespace of an entity type, fixed forever (changing it would change every entity id):
//   entity_namespace(t) = uuid5(namespace_url, "https://seerflow.dev/ns/entity/" + to_string(t))
// e.g. for ip: uuid5(6ba7b811-9dad-11d1-80b4-00c04fd430c8, "https://seerflow.dev/ns/entity/ip").
// An entity's id is then uuid5(entity_namespace(type), canonical value). A value outside the
// enumeration (e.g. decoded from a peer) gets the nil UUID.
const model::uuid& entity_namespace(model::entity_type t);

// Shorthand for uuid5(entity_namespace(t), canonical_value).
inline model::uuid entity_id(model::entity_type t, std::string_view canonical_value) {
  return uuid5(entity_namespace(t), canonical_value);
}

}  // namespace seerflow::parse
