// The snapshot codec: exact encodings, round trips, and a reader that never trusts its input
// (every truncation fails cleanly, hostile lengths are refused, a failure poisons the reader).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>

#include "runtime/util/byte_codec.hpp"

using namespace seerflow::util;

namespace {

constexpr auto u64_max = std::numeric_limits<std::uint64_t>::max();
constexpr auto i64_max = std::numeric_limits<std::int64_t>::max();
constexpr auto i64_min = std::numeric_limits<std::int64_t>::min();

std::string varint_bytes(std::uint64_t v) {
  byte_writer w;
  w.varint(v);
  return w.take();
}

std::string svarint_bytes(std::int64_t v) {
  byte_writer w;
  w.svarint(v);
  return w.take();
}

// A heap copy of exactly `n` bytes, so AddressSanitizer sees any read past the end.
struct exact_buffer {
  explicit exact_buffer(std::string_view s) : p(new char[s.size() ? s.size() : 1]), n(s.size()) {
    std::memcpy(p.get(), s.data(), s.size());
  }
  std::string_view view() const { return {p.get(), n}; }
  std::unique_ptr<char[]> p;
  std::size_t n;
};

std::uint64_t bits_of(double d) {
  std::uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

// One record of every kind; reading it back must give the same values.
std::string sample_record() {
  byte_writer w;
  w.u8(7);
  w.varint(300);
  w.svarint(-12345);
  w.f64(3.25);
  w.str("hello");
  w.varint(u64_max);
  w.str("");
  w.svarint(i64_min);
  w.str(std::string(200, 'x'));
  w.u8(255);
  return w.take();
}

// Reads sample_record's shape; true when every value matched and the reader is at its end.
bool read_sample(byte_reader& r) {
  bool same = r.u8() == 7;
  same &= r.varint() == 300;
  same &= r.svarint() == -12345;
  same &= r.f64() == 3.25;
  same &= r.str() == "hello";
  same &= r.varint() == u64_max;
  same &= r.str().empty();
  same &= r.svarint() == i64_min;
  same &= r.str() == std::string(200, 'x');
  same &= r.u8() == 255;
  return same && r.ok() && r.at_end();
}

}  // namespace

TEST_CASE("varint: exact LEB128 encodings") {
  CHECK(varint_bytes(0) == std::string("\x00", 1));
  CHECK(varint_bytes(1) == "\x01");
  CHECK(varint_bytes(127) == "\x7F");
  CHECK(varint_bytes(128) == "\x80\x01");
  CHECK(varint_bytes(300) == "\xAC\x02");
  CHECK(varint_bytes(16383) == "\xFF\x7F");
  CHECK(varint_bytes(16384) == std::string("\x80\x80\x01", 3));
  CHECK(varint_bytes(std::uint64_t{1} << 63) ==
        std::string("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 10));
  CHECK(varint_bytes(u64_max) == "\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01");
}

TEST_CASE("svarint: zig-zag keeps small magnitudes short") {
  CHECK(svarint_bytes(0) == std::string("\x00", 1));
  CHECK(svarint_bytes(-1) == "\x01");
  CHECK(svarint_bytes(1) == "\x02");
  CHECK(svarint_bytes(-2) == "\x03");
  CHECK(svarint_bytes(-64) == "\x7F");
  CHECK(svarint_bytes(64) == "\x80\x01");
  CHECK(svarint_bytes(i64_max) == varint_bytes(u64_max - 1));
  CHECK(svarint_bytes(i64_min) == varint_bytes(u64_max));
}

TEST_CASE("round trips of u8, varint, svarint, f64 and str") {
  byte_writer w;
  const std::uint64_t uvals[] = {
      0,          1,          127,         128,    255, 256, 16383, 16384, (1ull << 32) - 1,
      1ull << 32, 1ull << 63, u64_max - 1, u64_max};
  const std::int64_t svals[] = {0,       1,       -1,         63,   -64,       64,
                                -65,     127,     128,        -128, 1ll << 40, -(1ll << 40),
                                i64_max, i64_min, i64_min + 1};
  const double dvals[] = {0.0,
                          -0.0,
                          1.5,
                          -2.75,
                          1e308,
                          -1e-308,
                          std::numeric_limits<double>::denorm_min(),
                          std::numeric_limits<double>::infinity(),
                          -std::numeric_limits<double>::infinity()};
  const std::string svals_text[] = {"",
                                    "a",
                                    std::string("\0\x01\xFF", 3),
                                    std::string(127, 'q'),
                                    std::string(128, 'r'),
                                    std::string(70000, 's')};
  for (int v = 0; v < 256; ++v) w.u8(static_cast<std::uint8_t>(v));
  for (auto v : uvals) w.varint(v);
  for (auto v : svals) w.svarint(v);
  for (auto v : dvals) w.f64(v);
  w.f64(std::numeric_limits<double>::quiet_NaN());
  for (const auto& s : svals_text) w.str(s);
  w.raw("RAW");
  const std::string bytes = w.take();

  const exact_buffer buf(bytes);
  byte_reader r(buf.view());
  for (int v = 0; v < 256; ++v) REQUIRE(r.u8() == v);
  for (auto v : uvals) CHECK(r.varint() == v);
  for (auto v : svals) CHECK(r.svarint() == v);
  for (auto v : dvals) CHECK(bits_of(r.f64()) == bits_of(v));  // -0.0 keeps its sign
  CHECK(std::isnan(r.f64()));
  CHECK(r.str() == svals_text[0]);
  CHECK(r.str() == svals_text[1]);
  CHECK(r.str() == svals_text[2]);
  CHECK(r.str() == svals_text[3]);
  CHECK(r.str() == svals_text[4]);
  CHECK(r.str() == svals_text[5]);
  CHECK_FALSE(r.at_end());
  CHECK(r.u8() == 'R');
  CHECK(r.u8() == 'A');
  CHECK(r.u8() == 'W');
  CHECK(r.ok());
  CHECK(r.at_end());
  // Reading past the end fails and poisons.
  CHECK(r.u8() == 0);
  CHECK_FALSE(r.ok());
}

TEST_CASE("writer: buffer() shows what was written, take() hands it over") {
  byte_writer w;
  w.u8(0x41);
  w.raw("bc");
  CHECK(w.buffer() == "Abc");
  w.buffer() += 'd';
  w.str("xy");
  CHECK(w.take() == "Abcd\x02xy");
}

TEST_CASE("randomized round trips of varint and svarint") {
  std::mt19937_64 rng(42);
  byte_writer w;
  std::vector<std::uint64_t> u;
  std::vector<std::int64_t> s;
  for (int i = 0; i < 5000; ++i) {
    // Spread over every magnitude, not just huge random numbers.
    const int bits = static_cast<int>(rng() % 65);
    const std::uint64_t v = bits == 64 ? rng() : rng() & ((std::uint64_t{1} << bits) - 1);
    u.push_back(v);
    s.push_back(static_cast<std::int64_t>(v) * ((rng() & 1) ? 1 : -1));
    w.varint(u.back());
    w.svarint(s.back());
  }
  const std::string bytes = w.take();
  byte_reader r(bytes);
  std::size_t wrong = 0;
  for (int i = 0; i < 5000; ++i) {
    if (r.varint() != u[i]) ++wrong;
    if (r.svarint() != s[i]) ++wrong;
  }
  CHECK(wrong == 0);
  CHECK(r.ok());
  CHECK(r.at_end());
}

TEST_CASE("every truncation of a valid encoding leaves the reader not ok") {
  const std::string full = sample_record();
  {
    const exact_buffer buf(full);
    byte_reader r(buf.view());
    REQUIRE(read_sample(r));
  }
  for (std::size_t n = 0; n < full.size(); ++n) {
    INFO("truncated to " << n << " of " << full.size() << " bytes");
    const exact_buffer buf(full.substr(0, n));  // ASan catches any read past the end
    byte_reader r(buf.view());
    CHECK_FALSE(read_sample(r));
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("a failed read poisons the reader for good") {
  const std::string bytes = "\x05\x01\x02";
  byte_reader r(bytes);
  CHECK(r.f64() == 0.0);  // needs 8 bytes, only 3 are there
  CHECK_FALSE(r.ok());
  CHECK(r.u8() == 0);  // the bytes are there, but the reader no longer trusts its position
  CHECK(r.varint() == 0);
  CHECK(r.svarint() == 0);
  CHECK(r.str().empty());
  CHECK_FALSE(r.plausible_count(0));
  CHECK_FALSE(r.ok());
  CHECK_FALSE(r.at_end());
}

TEST_CASE("varint: too many continuation bytes are refused") {
  // Ten bytes all with the continuation bit: no terminator within 64 bits.
  const std::string ten = std::string(10, '\x80') + "\x01";
  byte_reader r(ten);
  CHECK(r.varint() == 0);
  CHECK_FALSE(r.ok());

  const std::string endless(1000, '\xFF');
  byte_reader r2(endless);
  CHECK(r2.varint() == 0);
  CHECK_FALSE(r2.ok());

  // A continuation byte as the very last byte: truncated.
  byte_reader r3("\xFF\xFF");
  CHECK(r3.varint() == 0);
  CHECK_FALSE(r3.ok());

  // Non-minimal encodings decode to their value (the writer never produces them).
  const std::string non_minimal("\x80\x80\x00", 3);
  byte_reader r4(non_minimal);
  CHECK(r4.varint() == 0);
  CHECK(r4.ok());
  CHECK(r4.at_end());
}

TEST_CASE("str: hostile length prefixes are refused without allocating") {
  SECTION("length far beyond the input") {
    byte_writer w;
    w.varint(std::uint64_t{1} << 40);
    w.raw("abc");
    const std::string bytes = w.take();
    byte_reader r(bytes);
    CHECK(r.str().empty());
    CHECK_FALSE(r.ok());
  }
  SECTION("length of 2^64 - 1") {
    const std::string bytes = varint_bytes(u64_max) + "abc";
    byte_reader r(bytes);
    CHECK(r.str().empty());
    CHECK_FALSE(r.ok());
  }
  SECTION("length one more than what is left") {
    const std::string bytes = varint_bytes(4) + "abc";
    byte_reader r(bytes);
    CHECK(r.str().empty());
    CHECK_FALSE(r.ok());
  }
  SECTION("length above the caller's maximum, even though the bytes are there") {
    const std::string bytes = varint_bytes(10) + std::string(10, 'z');
    byte_reader r(bytes);
    CHECK(r.str(9).empty());
    CHECK_FALSE(r.ok());
    byte_reader r2(bytes);
    CHECK(r2.str(10) == std::string(10, 'z'));
    CHECK(r2.ok());
    CHECK(r2.at_end());
  }
  SECTION("the default maximum is 1 MiB") {
    const std::string big(std::size_t{1} << 20, 'b');
    byte_writer w;
    w.str(big);
    w.str(big + "!");
    const std::string bytes = w.take();
    byte_reader r(bytes);
    CHECK(r.str() == big);
    CHECK(r.ok());
    CHECK(r.str().empty());
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("plausible_count checks a count against the bytes left") {
  const std::string ten(10, 'x');
  {
    byte_reader r(ten);
    CHECK(r.plausible_count(0));
    CHECK(r.plausible_count(10));
    CHECK(r.ok());
    CHECK_FALSE(r.plausible_count(11));
    CHECK_FALSE(r.ok());  // an implausible count poisons the reader
  }
  {
    byte_reader r(ten);
    CHECK(r.plausible_count(5, 2));
    CHECK(r.plausible_count(3, 3));
    CHECK_FALSE(r.plausible_count(4, 3));
  }
  {
    byte_reader r(ten);
    CHECK(r.plausible_count(10, 0));  // 0 bytes each is taken as 1
    CHECK_FALSE(r.plausible_count(11, 0));
  }
  {
    byte_reader r(ten);
    r.u8();
    r.u8();
    CHECK(r.plausible_count(8));  // counts what is left, not the whole input
    CHECK_FALSE(r.plausible_count(9));
  }
  {
    byte_reader r(ten);
    CHECK_FALSE(r.plausible_count(u64_max));
    CHECK_FALSE(r.plausible_count(u64_max, 8));
  }
  {
    byte_reader r("");
    CHECK(r.plausible_count(0));
    CHECK_FALSE(r.plausible_count(1));
  }
}

TEST_CASE("randomized: random bytes never crash the reader or read past the end") {
  std::mt19937_64 rng(7);
  std::size_t oks = 0;
  for (int iter = 0; iter < 5000; ++iter) {
    std::string bytes(rng() % 64, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    const exact_buffer buf(bytes);
    byte_reader r(buf.view());
    // A random program of reads.
    for (int k = 0; k < 12; ++k) {
      switch (rng() % 6) {
        case 0:
          r.u8();
          break;
        case 1:
          r.varint();
          break;
        case 2:
          r.svarint();
          break;
        case 3:
          r.f64();
          break;
        case 4:
          r.str(rng() % 100);
          break;
        case 5:
          r.plausible_count(rng() % 64, rng() % 4);
          break;
      }
    }
    oks += r.ok();
  }
  // Most random programs run out of bytes; some do not. Both must be possible.
  CHECK(oks > 0);
  CHECK(oks < 5000);
}
