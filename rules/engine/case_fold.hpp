#pragma once
// Case folding for Sigma's case-insensitive comparisons. Rule literals and event values are
// folded with the same function once (at compile time and once per event field), so every
// comparison afterwards is a plain byte comparison.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace seerflow::rules {

// Appends the simple case folding of `in` to `out`, code point by code point (ASCII, Latin-1,
// Latin Extended-A, Greek and Cyrillic; other code points are copied unchanged). Invalid UTF-8
// bytes are copied as they are, so the output never splits a valid sequence.
void fold_case_append(std::string_view in, std::string& out);

// The folding never changes the byte length (every folded range maps within its UTF-8 length
// class), so it can be written in place: `out` must have room for in.size() bytes.
void fold_case_into(std::string_view in, char* out);
// The same, also copying `in` to `raw` (in.size() bytes) in the same pass.
void fold_case_copy(std::string_view in, char* raw, char* out);

namespace detail {

// Reads 1..7 bytes as one little-endian word with at most two overlapping loads (no call to a
// variable-length memcpy, no read past the end).
inline std::uint64_t load_tail(const unsigned char* q, std::size_t r) {
  if (r >= 4) {
    std::uint32_t a, b;
    std::memcpy(&a, q, 4);
    std::memcpy(&b, q + r - 4, 4);
    return a | (std::uint64_t{b} << (8 * (r - 4)));
  }
  if (r >= 2) {
    std::uint16_t a, b;
    std::memcpy(&a, q, 2);
    std::memcpy(&b, q + r - 2, 2);
    return a | (std::uint64_t{b} << (8 * (r - 2)));
  }
  return q[0];
}

inline void store_tail(char* out, std::uint64_t w, std::size_t r) {
  if (r >= 4) {
    const auto a = static_cast<std::uint32_t>(w);
    const auto b = static_cast<std::uint32_t>(w >> (8 * (r - 4)));
    std::memcpy(out, &a, 4);
    std::memcpy(out + r - 4, &b, 4);
  } else if (r >= 2) {
    const auto a = static_cast<std::uint16_t>(w);
    const auto b = static_cast<std::uint16_t>(w >> (8 * (r - 2)));
    std::memcpy(out, &a, 2);
    std::memcpy(out + r - 2, &b, 2);
  } else {
    out[0] = static_cast<char>(w);
  }
}

}  // namespace detail

// fold_case_copy with its ASCII path inline (a call per field value showed in profiles): whole
// ASCII words, then the tail as one word; from the first word holding a non-ASCII byte on (a
// code point boundary, since every byte before it is ASCII) the out-of-line version takes over.
[[gnu::always_inline]] inline void fold_case_copy_inline(std::string_view in, char* raw,
                                                         char* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  auto lower = [](std::uint64_t w) {  // + 0x20 on every byte in 'A'..'Z'
    const std::uint64_t ge_a = (w + (0x80 - 'A') * ones) & highs;
    const std::uint64_t gt_z = (w + (0x80 - 'Z' - 1) * ones) & highs;
    return w | ((ge_a & ~gt_z) >> 2);
  };
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & highs) return fold_case_copy(in.substr(i), raw + i, out + i);
    std::memcpy(raw + i, &w, 8);
    w = lower(w);
    std::memcpy(out + i, &w, 8);
  }
  const std::size_t r = n - i;
  if (r == 0) return;
  // 1..7 bytes as one word from two overlapping loads, stored back the same way.
  const std::uint64_t w = detail::load_tail(p + i, r);
  if (w & highs) return fold_case_copy(in.substr(i), raw + i, out + i);
  detail::store_tail(raw + i, w, r);
  detail::store_tail(out + i, lower(w), r);
}

inline std::string fold_case(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  fold_case_append(in, out);
  return out;
}

// Length in bytes of the UTF-8 sequence starting with `lead` (1 for invalid lead bytes), so
// that `?` consumes one whole code point.
inline std::size_t utf8_seq_len(unsigned char lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  if (lead < 0xF8) return 4;
  return 1;
}

}  // namespace seerflow::rules
