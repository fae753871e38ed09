#include "runtime/parse/admit_record.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "runtime/util/utf8.hpp"

using seerflow::parse::admit_record;
using seerflow::parse::decode_notes;
using seerflow::parse::decode_options;
using seerflow::parse::rejection;
using seerflow::parse::scan_record;

TEST_CASE("scan_record agrees with util::looks_binary and spots non-ASCII bytes") {
  std::mt19937_64 rng(77);
  // Byte pools from clean text to control-heavy, so both sides of the one-eighth rule are hit.
  const std::string pools[] = {
      "abcdefghijklmnopqrstuvwxyz 0123456789:[]<>=\"",
      std::string("abc def\t\r\n\x01\x1b\x7f", 13),
      std::string("ab\x01\x02\x03\x1f\x80\xC3\xA9\xFF \x00", 12),
  };
  for (int iter = 0; iter < 50000; ++iter) {
    const std::string& pool = pools[rng() % std::size(pools)];
    std::string s(rng() % 70, ' ');
    for (auto& c : s) c = pool[rng() % pool.size()];
    INFO(iter);
    const auto scan = scan_record(s);
    REQUIRE(scan.binary == seerflow::util::looks_binary(s));
    if (!scan.binary) {
      bool ascii = true;
      for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
      REQUIRE(scan.ascii == ascii);
    }
  }
  CHECK(scan_record("").ascii);
  CHECK_FALSE(scan_record("").binary);
  CHECK(scan_record(std::string(16, '\x01') + std::string(112, 'a')).binary == false);
  CHECK(scan_record(std::string(17, '\x01') + std::string(112, 'a')).binary == true);
}

TEST_CASE("admit_record strips line ends, checks size, binary and UTF-8") {
  decode_options o;
  o.max_message = 4;
  std::string scratch;
  std::string_view text;
  rejection why;
  decode_notes notes;
  notes.header_missing = true;
  REQUIRE(admit_record(std::string_view("abcd\r\n\0", 7), o, scratch, text, why, notes));
  CHECK(text == "abcd");
  CHECK_FALSE(notes.header_missing);  // reset
  CHECK(scratch.empty());             // no copy for valid text
  REQUIRE(admit_record("12345678", o, scratch, text, why, notes));
  CHECK_FALSE(admit_record("123456789", o, scratch, text, why, notes));
  CHECK(why.reason == "oversized");
  CHECK(why.detail == "record of 9 bytes exceeds twice the 4-byte message limit");
  CHECK_FALSE(admit_record("\n\r\n", o, scratch, text, why, notes));
  CHECK(why.reason == "empty");
  REQUIRE(admit_record("a\xFF", o, scratch, text, why, notes));
  CHECK(text == "a\xEF\xBF\xBD");
  CHECK(text.data() == scratch.data());
  CHECK(notes.utf8_repaired);
  o.reject_invalid_utf8 = true;
  CHECK_FALSE(admit_record("a\xFF", o, scratch, text, why, notes));
  CHECK(why.reason == "invalid_utf8");
  CHECK_FALSE(admit_record(std::string_view("a\0b", 3), o, scratch, text, why, notes));
  CHECK(why.reason == "binary");
}
