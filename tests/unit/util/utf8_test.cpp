// UTF-8 validation (RFC 3629), repair with U+FFFD and the binary heuristic. Validation is checked
// against an independent decoder written from the RFC's table, exhaustively for every code point
// and for random byte strings.
#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "runtime/util/utf8.hpp"

using namespace seerflow::util;

namespace {

const std::string fffd = "\xEF\xBF\xBD";

std::string encode(std::uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return s;
}

// The oracle: length of the well-formed sequence at s[i] by decoding the code point and checking
// it against RFC 3629's rules (shortest form, no surrogates, at most U+10FFFF), or nullopt.
std::optional<std::size_t> oracle_sequence(const std::string& s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<std::uint8_t>(s[i + k]); };
  const std::uint8_t b0 = b(0);
  std::size_t len;
  std::uint32_t cp;
  if (b0 < 0x80) return 1;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return std::nullopt;
  }
  if (i + len > s.size()) return std::nullopt;
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  const std::uint32_t min_cp = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
  if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  return len;
}

std::size_t oracle_prefix(const std::string& s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto n = oracle_sequence(s, i);
    if (!n) return i;
    i += *n;
  }
  return s.size();
}

std::size_t count_of(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size()))
    ++n;
  return n;
}

struct repaired {
  std::string text;
  std::size_t count;
};

repaired repair(std::string s) {
  const std::size_t n = repair_utf8(s);
  return {s, n};
}

}  // namespace

TEST_CASE("valid_utf8_prefix accepts well-formed text of every length") {
  const std::string text =
      "ascii, caf\xC3\xA9, \xE2\x82\xAC 5, \xF0\x9F\x9A\x80 launch, "
      "\xE4\xB8\xAD\xE6\x96\x87, \xD0\x9F\xD1\x80\xD0\xB8";
  CHECK(valid_utf8_prefix(text) == text.size());
  CHECK(is_valid_utf8(text));
  CHECK(valid_utf8_prefix("") == 0);
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8(std::string("\0", 1)));  // NUL is valid UTF-8 (binary is another check)
  // The boundaries of each length class.
  for (std::uint32_t cp : {0x00u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu,
                           0x10000u, 0x10FFFFu}) {
    INFO("U+" << std::hex << cp);
    CHECK(is_valid_utf8(encode(cp)));
  }
  CHECK(encode(0x10FFFF) == "\xF4\x8F\xBF\xBF");
}

TEST_CASE("valid_utf8_prefix: every code point, encoded, is valid exactly when not a surrogate") {
  std::size_t wrong = 0;
  for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const std::string e = encode(cp);
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    const std::size_t expect = surrogate ? 0 : e.size();
    // Also behind a run of ASCII so the eight-bytes-at-a-time path hands over mid-word.
    const std::string padded = "abcdefghijk" + e + "z";
    const std::size_t expect_padded = surrogate ? 11 : padded.size();
    if (valid_utf8_prefix(e) != expect || valid_utf8_prefix(padded) != expect_padded) ++wrong;
  }
  CHECK(wrong == 0);
}

TEST_CASE("valid_utf8_prefix stops at each class of invalid sequence") {
  struct bad_case {
    const char* name;
    std::string bytes;
  };
  const bad_case cases[] = {
      {"lone continuation", "\x80"},
      {"lone continuation BF", "\xBF"},
      {"truncated 2-byte", "\xC3"},
      {"truncated 3-byte after 1", "\xE2"},
      {"truncated 3-byte after 2", "\xE2\x82"},
      {"truncated 4-byte after 1", "\xF0"},
      {"truncated 4-byte after 2", "\xF0\x9F"},
      {"truncated 4-byte after 3", "\xF0\x9F\x9A"},
      {"overlong C0 80", "\xC0\x80"},
      {"overlong C1 BF", "\xC1\xBF"},
      {"overlong E0 80 80", "\xE0\x80\x80"},
      {"overlong E0 9F BF", "\xE0\x9F\xBF"},
      {"overlong F0 80 80 80", "\xF0\x80\x80\x80"},
      {"overlong F0 8F BF BF", "\xF0\x8F\xBF\xBF"},
      {"surrogate ED A0 80", "\xED\xA0\x80"},
      {"surrogate ED BF BF", "\xED\xBF\xBF"},
      {"above U+10FFFF F4 90 80 80", "\xF4\x90\x80\x80"},
      {"F5", "\xF5\x80\x80\x80"},
      {"F8", "\xF8\x88\x80\x80\x80"},
      {"FC", "\xFC\x84\x80\x80\x80\x80"},
      {"FE", "\xFE"},
      {"FF", "\xFF"},
      {"lead then ASCII", "\xC3("},
      {"3-byte lead then ASCII", "\xE2(\xA1"},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(valid_utf8_prefix(c.bytes) == 0);
    CHECK_FALSE(is_valid_utf8(c.bytes));
    const std::string after = "caf\xC3\xA9 " + c.bytes + " tail";
    CHECK(valid_utf8_prefix(after) == 6);
    // At every offset around the eight-byte ASCII fast path.
    for (std::size_t pad = 0; pad < 20; ++pad) {
      const std::string s = std::string(pad, 'x') + c.bytes + "yyyyyyyyyy";
      REQUIRE(valid_utf8_prefix(s) == pad);
    }
  }
  for (int b = 0xF5; b <= 0xFF; ++b) {
    INFO("byte " << b);
    CHECK(valid_utf8_prefix(std::string(1, static_cast<char>(b))) == 0);
    CHECK(valid_utf8_prefix(std::string(1, static_cast<char>(b)) + "\x80\x80\x80") == 0);
  }
}

TEST_CASE("valid_utf8_prefix agrees with an independent decoder on every two-byte string") {
  std::size_t wrong = 0;
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      const std::string s{static_cast<char>(a), static_cast<char>(b)};
      if (valid_utf8_prefix(s) != oracle_prefix(s)) ++wrong;
    }
  CHECK(wrong == 0);
}

TEST_CASE(
    "valid_utf8_prefix agrees with an independent decoder on every three-byte string "
    "with a multi-byte lead") {
  std::size_t wrong = 0;
  for (int a = 0xC0; a < 256; ++a)
    for (int b = 0; b < 256; ++b)
      for (int c = 0; c < 256; ++c) {
        const std::string s{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)};
        if (valid_utf8_prefix(s) != oracle_prefix(s)) ++wrong;
      }
  CHECK(wrong == 0);
}

TEST_CASE("repair_utf8 leaves valid text alone and counts nothing") {
  std::string s = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x9A\x80 \xEF\xBF\xBD already replaced";
  const std::string before = s;
  CHECK(repair_utf8(s) == 0);
  CHECK(s == before);
  std::string empty;
  CHECK(repair_utf8(empty) == 0);
  CHECK(empty.empty());
}

TEST_CASE("repair_utf8: one U+FFFD per invalid sequence, with exact output") {
  // The policy (see utf8.cpp): a byte that cannot start a well-formed sequence is replaced, and
  // the continuation bytes right after it are taken as part of the same broken sequence.
  struct repair_case {
    const char* name;
    std::string in, out;
    std::size_t count;
  };
  const repair_case cases[] = {
      {"lone continuation", "a\x80z", "a" + fffd + "z", 1},
      {"run of continuations", "a\x80\x81\xBFz", "a" + fffd + "z", 1},
      {"truncated 2-byte at end", "ab\xC3", "ab" + fffd, 1},
      {"truncated 2-byte before ASCII", "\xC3z", fffd + "z", 1},
      {"truncated 3-byte (1 of 3)", "a\xE2z", "a" + fffd + "z", 1},
      {"truncated 3-byte (2 of 3)", "a\xE2\x82z", "a" + fffd + "z", 1},
      {"truncated 3-byte at end", "a\xE2\x82", "a" + fffd, 1},
      {"truncated 4-byte (3 of 4)", "a\xF0\x9F\x9Az", "a" + fffd + "z", 1},
      {"truncated 4-byte (2 of 4) at end", "a\xF0\x9F", "a" + fffd, 1},
      {"overlong C0 80", "a\xC0\x80z", "a" + fffd + "z", 1},
      {"overlong C0 AF", "\xC0\xAF", fffd, 1},
      {"overlong E0 80 80", "a\xE0\x80\x80z", "a" + fffd + "z", 1},
      {"overlong F0 80 80 80", "a\xF0\x80\x80\x80z", "a" + fffd + "z", 1},
      {"surrogate ED A0 80", "a\xED\xA0\x80z", "a" + fffd + "z", 1},
      {"surrogate pair as CESU-8", "\xED\xA0\xBD\xED\xB8\x80", fffd + fffd, 2},
      {"above U+10FFFF", "a\xF4\x90\x80\x80z", "a" + fffd + "z", 1},
      {"F5 with continuations", "\xF5\x80\x80\x80", fffd, 1},
      {"FF FE: two bad leads", "\xFF\xFE", fffd + fffd, 2},
      {"latin-1 word", "caf\xE9 cr\xE8me", "caf" + fffd + " cr" + fffd + "me", 2},
      // A truncated sequence followed by a complete one: only the broken part is replaced.
      {"truncated then valid", "\xE2\x82\xE2\x82\xAC", fffd + "\xE2\x82\xAC", 1},
      {"valid then stray continuation", "\xC3\xA9\xA9", "\xC3\xA9" + fffd, 1},
      {"bad lead then valid multibyte", "\xFF\xC3\xA9", fffd + "\xC3\xA9", 1},
      {"only bad bytes", "\xFF\xFF\xFF", fffd + fffd + fffd, 3},
      {"NUL kept", std::string("\x80\0", 2), fffd + std::string("\0", 1), 1},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    const auto r = repair(c.in);
    CHECK(r.text == c.out);
    CHECK(r.count == c.count);
    CHECK(is_valid_utf8(r.text));
  }
}

TEST_CASE("repair_utf8 is idempotent") {
  for (const std::string& in :
       {std::string("a\x80z\xC3"), std::string("\xE0\x80\x80\xED\xA0\x80\xF4\x90\x80\x80"),
        std::string("\xFF\xFE\xFD"), std::string("ok \xF0\x9F\x9A")}) {
    auto once = repair(in);
    REQUIRE(once.count > 0);
    auto twice = repair(once.text);
    CHECK(twice.count == 0);
    CHECK(twice.text == once.text);
  }
}

TEST_CASE("looks_binary: NUL, or more than an eighth of C0 controls") {
  CHECK_FALSE(looks_binary(""));
  CHECK_FALSE(looks_binary("plain text line"));
  CHECK_FALSE(looks_binary("tabs\tand\r\nnewlines\n\n\n\t\t"));
  CHECK(looks_binary(std::string("a\0b", 3)));
  CHECK(looks_binary(std::string(1, '\0')));
  CHECK(looks_binary(std::string(1000, 'a') + std::string(1, '\0')));
  // Exactly one eighth is still text; one more control byte makes it binary.
  CHECK_FALSE(
      looks_binary("\x01"
                   "abcdefg"));  // 1 of 8
  CHECK(
      looks_binary("\x01"
                   "abcdef"));  // 1 of 7
  CHECK_FALSE(
      looks_binary("\x1b\x1b"
                   "abcdefghijklmn"));  // 2 of 16
  CHECK(
      looks_binary("\x1b\x1b"
                   "abcdefghijklm"));  // 2 of 15
  // DEL and bytes above 0x7F are not C0 controls.
  CHECK_FALSE(looks_binary("\x7f\x7f\x7f\x7f"));
  CHECK_FALSE(looks_binary("\xFF\xFE\x80\x81"));
  CHECK(looks_binary("\x01\x02\x03\x04\x05\x06\x07\x08"));
}

TEST_CASE("randomized: valid_utf8_prefix matches the oracle and repair always yields valid text") {
  std::mt19937_64 rng(20240611);
  // Bytes biased towards the interesting ones so multi-byte sequences actually form.
  const std::uint8_t interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                      0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xED,
                                      0xEE, 0xEF, 0xF0, 0xF1, 0xF4, 0xF5, 0xFF};
  std::size_t prefix_wrong = 0, invalid_after = 0, not_idempotent = 0, count_wrong = 0,
              changed_valid = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    const std::size_t len = rng() % 40;
    std::string s;
    for (std::size_t i = 0; i < len; ++i) {
      const auto r = rng();
      s += static_cast<char>(r % 3 == 0 ? interesting[(r >> 8) % sizeof interesting]
                                        : static_cast<std::uint8_t>(r >> 16));
    }
    if (valid_utf8_prefix(s) != oracle_prefix(s)) ++prefix_wrong;
    const bool was_valid = is_valid_utf8(s);
    std::string t = s;
    const std::size_t n = repair_utf8(t);
    if (!is_valid_utf8(t)) ++invalid_after;
    if (was_valid && (n != 0 || t != s)) ++changed_valid;
    if (!was_valid && n == 0) ++count_wrong;
    // Every replacement adds exactly one U+FFFD (valid U+FFFD already in the input stay).
    if (count_of(t, fffd) != count_of(s, fffd) + n) ++count_wrong;
    std::string u = t;
    if (repair_utf8(u) != 0 || u != t) ++not_idempotent;
  }
  CHECK(prefix_wrong == 0);
  CHECK(invalid_after == 0);
  CHECK(changed_valid == 0);
  CHECK(count_wrong == 0);
  CHECK(not_idempotent == 0);
}

TEST_CASE("repair_utf8 on large inputs: long valid prefix, then damage") {
  std::string s(100000, 'a');
  s += "\xE2\x82";
  s += std::string(100000, 'b');
  s += "\xF0\x9F\x9A\x80";
  std::string t = s;
  CHECK(repair_utf8(t) == 1);
  CHECK(t.size() == s.size() + 1);  // 2 bad bytes became 3
  CHECK(t.substr(100000, 3) == fffd);
  CHECK(is_valid_utf8(t));
}
