#include "rules/engine/case_fold.hpp"

#include <cstdint>
#include <cstring>

namespace seerflow::rules {

namespace {

std::uint32_t fold_cp(std::uint32_t c) {
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;  // Latin-1 capitals
  if (c >= 0x100 && c <= 0x17F) {
    // Latin Extended-A alternates capital/small, with two runs that start on an odd point.
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
    if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
    if (c == 0x178) return 0xFF;
    return (c & 1) ? c : c + 1;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;  // Greek capitals
  if (c == 0x3C2) return 0x3C3;                                 // final sigma
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;                // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  if (c >= 0x460 && c <= 0x4FF && !(c >= 0x482 && c <= 0x489)) {
    if (c >= 0x4C1 && c <= 0x4CE) return (c & 1) ? c + 1 : c;
    if (c == 0x4C0) return 0x4CF;
    return (c & 1) ? c : c + 1;
  }
  if (c >= 0xFF21 && c <= 0xFF3A) return c + 0x20;  // full-width Latin
  return c;
}

// Writes `c` in exactly `len` bytes (the caller guarantees c needs that many).
void put_utf8(std::uint32_t c, std::size_t len, char* out) {
  if (len == 2) {
    out[0] = static_cast<char>(0xC0 | (c >> 6));
    out[1] = static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out[0] = static_cast<char>(0xE0 | (c >> 12));
    out[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (c & 0x3F));
  }
}

}  // namespace

void fold_case_append(std::string_view in, std::string& out) {
  const std::size_t at = out.size();
  out.resize(at + in.size());
  fold_case_into(in, out.data() + at);
}

// With a non-null `raw`, `in` is copied there in the same pass (the ASCII words once loaded).
template <bool Copy>
void fold_impl(std::string_view in, char* out, [[maybe_unused]] char* raw) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  std::size_t i = 0;
  constexpr std::uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  // Add 0x20 to every byte in 'A'..'Z' of an ASCII word (zero bytes stay zero).
  auto lower = [](std::uint64_t w) {
    const std::uint64_t ge_a = (w + (0x80 - 'A') * ones) & highs;
    const std::uint64_t gt_z = (w + (0x80 - 'Z' - 1) * ones) & highs;
    return w | ((ge_a & ~gt_z) >> 2);
  };
  while (i < n) {
    // ASCII fast path, eight bytes at a time.
    if (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if ((w & highs) == 0) {
        if constexpr (Copy) std::memcpy(raw + i, &w, 8);
        w = lower(w);
        std::memcpy(out + i, &w, 8);
        i += 8;
        continue;
      }
    } else {
      // A short tail (most field values are short) as one zero-padded word.
      std::uint64_t w = detail::load_tail(p + i, n - i);
      if ((w & highs) == 0) {
        if constexpr (Copy) detail::store_tail(raw + i, w, n - i);
        detail::store_tail(out + i, lower(w), n - i);
        return;
      }
    }
    const unsigned char b = p[i];
    if constexpr (Copy) {
      // The slow paths below advance by one code point at most 3 bytes long.
      const std::size_t k = n - i < 3 ? n - i : 3;
      for (std::size_t j = 0; j < k; ++j) raw[i + j] = static_cast<char>(p[i + j]);
    }
    if (b < 0x80) {
      out[i] = static_cast<char>(b >= 'A' && b <= 'Z' ? b + 32 : b);
      ++i;
      continue;
    }
    // Only 2- and 3-byte sequences hold the ranges we fold; anything else is copied.
    if (b >= 0xC2 && b < 0xE0 && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
      const std::uint32_t c = ((b & 0x1Fu) << 6) | (p[i + 1] & 0x3Fu);
      const std::uint32_t f = fold_cp(c);
      if (f >= 0x80 && f < 0x800) {
        put_utf8(f, 2, out + i);
      } else {
        out[i] = static_cast<char>(b);
        out[i + 1] = static_cast<char>(p[i + 1]);
      }
      i += 2;
      continue;
    }
    if (b == 0xEF && i + 2 < n && (p[i + 1] & 0xC0) == 0x80 && (p[i + 2] & 0xC0) == 0x80) {
      const std::uint32_t c = ((b & 0x0Fu) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu);
      const std::uint32_t f = fold_cp(c);
      if (f >= 0xF000 && f < 0x10000) {
        put_utf8(f, 3, out + i);
      } else {
        std::memcpy(out + i, p + i, 3);
      }
      i += 3;
      continue;
    }
    out[i] = static_cast<char>(b);
    ++i;
  }
}

void fold_case_into(std::string_view in, char* out) {
  fold_impl<false>(in, out, nullptr);
}

void fold_case_copy(std::string_view in, char* raw, char* out) {
  fold_impl<true>(in, out, raw);
}

}  // namespace seerflow::rules
