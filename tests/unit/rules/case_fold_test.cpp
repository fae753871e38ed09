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
