#include "runtime/config/value_syntax.hpp"

#include <catch2/catch.hpp>

using namespace seerflow::config;

TEST_CASE("booleans accept true/false, yes/no, on/off in any case") {
  bool b = false;
  for (const char* s : {"true", "True", "TRUE", "yes", "Yes", "on", "ON"}) {
    b = false;
    INFO(s);
    REQUIRE(parse_bool(s, b));
    CHECK(b);
  }
  for (const char* s : {"false", "False", "no", "NO", "off", "Off"}) {
    b = true;
    INFO(s);
    REQUIRE(parse_bool(s, b));
    CHECK_FALSE(b);
  }
  for (const char* s : {"", "1", "0", "y", "n", "maybe", "true ", "ofF2"}) {
    INFO(s);
    CHECK_FALSE(parse_bool(s, b));
  }
}

TEST_CASE("integers are plain decimal with an optional sign") {
  std::int64_t v = 0;
  bool overflow = false;
  CHECK((parse_integer("5514", v, overflow) && v == 5514));
  CHECK((parse_integer("+7", v, overflow) && v == 7));
  CHECK((parse_integer("-1", v, overflow) && v == -1));
  CHECK((parse_integer("0", v, overflow) && v == 0));
  CHECK((parse_integer("9223372036854775807", v, overflow) && v == INT64_MAX));
  for (const char* s : {"", "+", "-", "+-5", "1.5", "0x10", "1e3", " 5", "5 ", "12a", "--1"}) {
    INFO(s);
    CHECK_FALSE(parse_integer(s, v, overflow));
    CHECK_FALSE(overflow);
  }
  CHECK_FALSE(parse_integer("9223372036854775808", v, overflow));
  CHECK(overflow);
  CHECK_FALSE(parse_integer("-99999999999999999999999", v, overflow));
  CHECK(overflow);
}

TEST_CASE("numbers are finite decimals") {
  double d = -1;
  CHECK((parse_number("0.4", d) && d == 0.4));
  CHECK((parse_number("1", d) && d == 1.0));
  CHECK((parse_number(".5", d) && d == 0.5));
  CHECK((parse_number("+0.25", d) && d == 0.25));
  CHECK((parse_number("-2.5e-3", d) && d == -0.0025));
  for (const char* s : {"", "nan", "inf", "-inf", "1e400", "0.4.1", "abc", "0,4", "1 "}) {
    INFO(s);
    CHECK_FALSE(parse_number(s, d));
  }
}

TEST_CASE("durations take ms, s, m, h, d or bare milliseconds") {
  std::int64_t v = 0;
  bool overflow = false;
  CHECK((parse_duration_ms("250ms", v, overflow) && v == 250));
  CHECK((parse_duration_ms("10s", v, overflow) && v == 10'000));
  CHECK((parse_duration_ms("5m", v, overflow) && v == 300'000));
  CHECK((parse_duration_ms("1h", v, overflow) && v == 3'600'000));
  CHECK((parse_duration_ms("2d", v, overflow) && v == 172'800'000));
  CHECK((parse_duration_ms("1500", v, overflow) && v == 1500));
  CHECK((parse_duration_ms("0", v, overflow) && v == 0));
  for (const char* s : {"", "ms", "5x", "5 s", "-5s", "1.5s", "5S", "5sec", "5mss", "s5"}) {
    INFO(s);
    CHECK_FALSE(parse_duration_ms(s, v, overflow));
    CHECK_FALSE(overflow);
  }
  CHECK_FALSE(parse_duration_ms("999999999999999999d", v, overflow));
  CHECK(overflow);
  CHECK_FALSE(parse_duration_ms("99999999999999999999", v, overflow));
  CHECK(overflow);
}

TEST_CASE("sizes take B, KB, KiB, MB, MiB, GB, GiB or bare bytes") {
  std::int64_t v = 0;
  bool overflow = false;
  CHECK((parse_size_bytes("65536", v, overflow) && v == 65536));
  CHECK((parse_size_bytes("100B", v, overflow) && v == 100));
  CHECK((parse_size_bytes("64KiB", v, overflow) && v == 65536));
  CHECK((parse_size_bytes("64KB", v, overflow) && v == 64000));
  CHECK((parse_size_bytes("4MiB", v, overflow) && v == 4194304));
  CHECK((parse_size_bytes("2MB", v, overflow) && v == 2'000'000));
  CHECK((parse_size_bytes("1GiB", v, overflow) && v == 1073741824));
  CHECK((parse_size_bytes("3GB", v, overflow) && v == 3'000'000'000));
  for (const char* s : {"", "KiB", "4kib", "4XB", "1.5MiB", "-1", "4 MiB", "4Mi", "4TiB"}) {
    INFO(s);
    CHECK_FALSE(parse_size_bytes(s, v, overflow));
    CHECK_FALSE(overflow);
  }
  CHECK_FALSE(parse_size_bytes("9999999999999GiB", v, overflow));
  CHECK(overflow);
}

TEST_CASE("durations and sizes format in the largest exact unit and parse back") {
  CHECK(format_duration_ms(0) == "0ms");
  CHECK(format_duration_ms(5) == "5ms");
  CHECK(format_duration_ms(1500) == "1500ms");
  CHECK(format_duration_ms(10'000) == "10s");
  CHECK(format_duration_ms(600'000) == "10m");
  CHECK(format_duration_ms(3'600'000) == "1h");
  CHECK(format_duration_ms(90'000) == "90s");
  CHECK(format_duration_ms(172'800'000) == "2d");
  CHECK(format_size_bytes(0) == "0B");
  CHECK(format_size_bytes(65507) == "65507B");
  CHECK(format_size_bytes(65536) == "64KiB");
  CHECK(format_size_bytes(4u << 20) == "4MiB");
  CHECK(format_size_bytes(1LL << 30) == "1GiB");
  CHECK(format_size_bytes(1000) == "1000B");
  for (std::int64_t v : {0LL, 1LL, 999LL, 1000LL, 59'999LL, 86'400'000LL, 31'536'000'000LL}) {
    std::int64_t back = -1;
    bool overflow = false;
    REQUIRE(parse_duration_ms(format_duration_ms(v), back, overflow));
    CHECK(back == v);
    REQUIRE(parse_size_bytes(format_size_bytes(v), back, overflow));
    CHECK(back == v);
  }
  for (double d : {0.0, 0.4, 1.0, 0.1 + 0.2, 1e-7, 123456.789}) {
    double back = -1;
    REQUIRE(parse_number(format_number(d), back));
    CHECK(back == d);
  }
  CHECK(format_number(0.4) == "0.4");
  CHECK(format_number(1.0) == "1");
}

TEST_CASE("timezones are UTC, local or an offset, normalized to +hh:mm") {
  std::string out;
  CHECK((normalize_timezone("UTC", out) && out == "UTC"));
  CHECK((normalize_timezone("local", out) && out == "local"));
  CHECK((normalize_timezone("+05:30", out) && out == "+05:30"));
  CHECK((normalize_timezone("+0530", out) && out == "+05:30"));
  CHECK((normalize_timezone("-0800", out) && out == "-08:00"));
  CHECK((normalize_timezone("-00:00", out) && out == "-00:00"));
  CHECK((normalize_timezone("+14:00", out) && out == "+14:00"));
  for (const char* s : {"", "utc", "Local", "CET", "Europe/Paris", "+5:30", "05:30", "+05:60",
                        "+14:01", "+24:00", "+05-30", "+05:3", "+053", "+05:300", "Z"}) {
    INFO(s);
    CHECK_FALSE(normalize_timezone(s, out));
  }
}

TEST_CASE("names, addresses and quoted values") {
  CHECK(is_valid_name("syslog-udp"));
  CHECK(is_valid_name("a.b_c-D9"));
  CHECK(is_valid_name(std::string(128, 'x')));
  CHECK_FALSE(is_valid_name(std::string(129, 'x')));
  CHECK_FALSE(is_valid_name(""));
  CHECK_FALSE(is_valid_name("has space"));
  CHECK_FALSE(is_valid_name("slash/name"));
  CHECK_FALSE(is_valid_name("caf\xC3\xA9"));

  CHECK(is_ip_address("0.0.0.0"));
  CHECK(is_ip_address("127.0.0.1"));
  CHECK(is_ip_address("::"));
  CHECK(is_ip_address("fe80::1"));
  CHECK_FALSE(is_ip_address("localhost"));
  CHECK_FALSE(is_ip_address("256.0.0.1"));
  CHECK_FALSE(is_ip_address(""));
  CHECK_FALSE(is_ip_address(std::string("127.0.0.1\0x", 11)));

  CHECK(quote_for_message("abc") == "'abc'");
  CHECK(quote_for_message("a\nb\x01") == "'a\\x0Ab\\x01'");
  CHECK(quote_for_message("caf\xC3\xA9") == "'caf\xC3\xA9'");
  CHECK(quote_for_message("bad\xFF") == "'bad\\xFF'");
  CHECK(quote_for_message(std::string(100, 'z')) == "'" + std::string(60, 'z') + "...'");
  CHECK(escape_for_message("a.b", 200) == "a.b");
}
