#include "runtime/util/utf8.hpp"

#include <cstdint>

namespace seerflow::util {

namespace {

// Returns the length of the valid sequence starting at s[i], or 0 if it is invalid.
std::size_t sequence_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<std::uint8_t>(s[i]);
  if (b0 < 0x80) return 1;
  const std::size_t left = s.size() - i;
  auto cont = [&](std::size_t k) {
    return k < left && (static_cast<std::uint8_t>(s[i + k]) & 0xC0) == 0x80;
  };
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    const auto b1 = static_cast<std::uint8_t>(s[i + 1]);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;  // overlong
    if (b0 == 0xED && b1 > 0x9F) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const auto b1 = static_cast<std::uint8_t>(s[i + 1]);
    if (b0 == 0xF0 && b1 < 0x90) return 0;  // overlong
    if (b0 == 0xF4 && b1 > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

std::size_t valid_utf8_prefix(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    // Fast path: eight ASCII bytes at a time.
    while (i + 8 <= s.size()) {
      std::uint64_t w;
      __builtin_memcpy(&w, s.data() + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= s.size()) break;
    const std::size_t n = sequence_length(s, i);
    if (n == 0) return i;
    i += n;
  }
  return s.size();
}

std::size_t repair_utf8(std::string& s) {
  std::size_t first_bad = valid_utf8_prefix(s);
  if (first_bad == s.size()) return 0;
  std::string out;
  out.reserve(s.size() + 8);
  out.append(s, 0, first_bad);
  std::size_t replaced = 0;
  std::size_t i = first_bad;
  std::string_view view(s);
  while (i < view.size()) {
    const std::size_t n = sequence_length(view, i);
    if (n > 0) {
      out.append(view.substr(i, n));
      i += n;
      continue;
    }
    out.append("\xEF\xBF\xBD");
    ++replaced;
    ++i;
    // Swallow the continuation bytes of the broken sequence so one bad sequence is one U+FFFD.
    while (i < view.size() && (static_cast<std::uint8_t>(view[i]) & 0xC0) == 0x80 &&
           sequence_length(view, i) == 0)
      ++i;
  }
  s = std::move(out);
  return replaced;
}

bool looks_binary(std::string_view s) {
  std::size_t controls = 0;
  for (char c : s) {
    const auto b = static_cast<std::uint8_t>(c);
    if (b == 0) return true;
    if (b < 0x20 && b != '\t' && b != '\r' && b != '\n') ++controls;
  }
  return controls * 8 > s.size();
}

}  // namespace seerflow::util
