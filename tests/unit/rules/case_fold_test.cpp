// Case folding: the eight-byte ASCII path agrees with the byte loop; non-ASCII letters fold.
#include <catch2/catch.hpp>
#include <random>

#include "rules/engine/case_fold.hpp"

namespace sr = seerflow::rules;

TEST_CASE("ASCII folding agrees with a byte-by-byte reference") {
  std::mt19937 rng(1);
  for (int it = 0; it < 100000; ++it) {
    std::string s(rng() % 40, ' ');
    for (auto& c : s) c = static_cast<char>(rng() % 128);
    std::string ref;
    for (char c : s) ref += static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
    REQUIRE(sr::fold_case(s) == ref);
  }
}

TEST_CASE("non-ASCII letters fold, length is kept, invalid bytes pass through") {
  CHECK(sr::fold_case("ADMINISTRATÖR") == "administratör");
  CHECK(sr::fold_case("ÀÉÎÕÜ ŁŚŹ") == "àéîõü łśź");
  CHECK(sr::fold_case("ΑΔΜΙΝ") == "αδμιν");
  CHECK(sr::fold_case("АДМИН Ё") == "админ ё");
  CHECK(sr::fold_case("ＡＢＣ") == "ａｂｃ");
  const std::string bad =
      "A\xff\xfe"
      "B\xc3";
  CHECK(sr::fold_case(bad) ==
        "a\xff\xfe"
        "b\xc3");
  CHECK(sr::fold_case("😀 Emoji") == "😀 emoji");
}

TEST_CASE("fold_case_copy copies the input and folds it like fold_case, at every length") {
  // Mixed ASCII and multi-byte text, cut at every length, so that the word path, the short
  // tails and the code-point path all run with the copy.
  std::mt19937 rng(2);
  const std::string pieces[] = {"A", "z", "Ö", "ΑΔ", "Ё", "Ｂ", "\xff", "\xc3", "😀", "-", "Q"};
  for (int it = 0; it < 20000; ++it) {
    std::string s;
    const auto k = rng() % 24;
    for (std::uint32_t j = 0; j < k; ++j) s += pieces[rng() % std::size(pieces)];
    s.resize(rng() % (s.size() + 1));
    std::string raw(s.size() + 2, '#'), folded(s.size() + 2, '#');
    sr::fold_case_copy(s, raw.data() + 1, folded.data() + 1);
    REQUIRE(raw == "#" + s + "#");
    REQUIRE(folded == "#" + sr::fold_case(s) + "#");
  }
}
