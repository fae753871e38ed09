#pragma once
// Small, stable, non-cryptographic hashes for ids that must not change between runs or builds
// (std::hash may differ across standard library versions).
#include <cstdint>
#include <string_view>

namespace seerflow::util {

constexpr std::uint64_t fnv1a64(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Finaliser from SplitMix64: spreads the bits of a weak hash (or a counter) over the word.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace seerflow::util
