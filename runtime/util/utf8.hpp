#pragma once
// UTF-8 validation and repair. Logs arrive in any encoding; everything we store and print is
// valid UTF-8, so invalid sequences are replaced (U+FFFD) and the caller counts the repair.
#include <cstddef>
#include <string>
#include <string_view>

namespace seerflow::util {

// Length of the valid UTF-8 prefix of `s` (== s.size() when all of it is valid).
// Rejects overlongs, surrogates and code points above U+10FFFF, as RFC 3629 requires.
std::size_t valid_utf8_prefix(std::string_view s);

inline bool is_valid_utf8(std::string_view s) {
  return valid_utf8_prefix(s) == s.size();
}

// Replaces each maximal invalid subsequence with U+FFFD. Returns the number of replacements.
std::size_t repair_utf8(std::string& s);

// True when the bytes look like binary data rather than text: a NUL byte, or more than an
// eighth of the bytes being C0 control characters other than tab, CR and LF.
bool looks_binary(std::string_view s);

}  // namespace seerflow::util
