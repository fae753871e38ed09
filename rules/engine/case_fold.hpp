#pragma once
// Case folding for Sigma's case-insensitive comparisons. Rule literals and event values are
// folded with the same function once (at compile time and once per event field), so every
// comparison afterwards is a plain byte comparison.
#include <cstddef>
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
