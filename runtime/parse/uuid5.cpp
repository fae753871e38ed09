#include "runtime/parse/uuid5.hpp"

#include "runtime/parse/sha1.hpp"

namespace seerflow::parse {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

model::uuid uuid5(const model::uuid& ns, std::string_view name) {
  sha1_hasher h;
  h.update(ns.data(), ns.size());
  h.update(name);
  const sha1_digest d = h.finish();
  model::uuid id;
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = d[i];
  id[6] = static_cast<std::uint8_t>((id[6] & 0x0F) | 0x50);  // version 5
  id[8] = static_cast<std::uint8_t>((id[8] & 0x3F) | 0x80);  // variant 10xx
  return id;
}

std::string format_uuid(const model::uuid& id) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(digits[id[i] >> 4]);
    s.push_back(digits[id[i] & 0x0F]);
  }
  return s;
}

bool parse_uuid(std::string_view s, model::uuid& out) {
  const bool dashed = s.size() == 36;
  if (!dashed && s.size() != 32) return false;
  model::uuid id{};
  std::size_t pos = 0;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (dashed && (i == 4 || i == 6 || i == 8 || i == 10)) {
      if (s[pos] != '-') return false;
      ++pos;
    }
    const int hi = hex_value(s[pos]), lo = hex_value(s[pos + 1]);
    if (hi < 0 || lo < 0) return false;
    id[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    pos += 2;
  }
  out = id;
  return true;
}

const model::uuid& entity_namespace(model::entity_type t) {
  static const std::array<model::uuid, model::entity_type_names.size()> table = [] {
    std::array<model::uuid, model::entity_type_names.size()> a{};
    for (std::size_t i = 0; i < a.size(); ++i) {
      std::string name = "https://seerflow.dev/ns/entity/";
      name += model::entity_type_names[i];
      a[i] = uuid5(namespace_url, name);
    }
    return a;
  }();
  static const model::uuid nil{};
  const auto i = static_cast<std::size_t>(t);
  return i < table.size() ? table[i] : nil;  // a type decoded from the wire may be out of range
}

}  // namespace seerflow::parse
