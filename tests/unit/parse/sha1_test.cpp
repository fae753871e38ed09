// SHA-1 against the FIPS 180-2 appendix A / RFC 3174 section 7.3 test vectors.
#include "runtime/parse/sha1.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>

using seerflow::parse::sha1;
using seerflow::parse::sha1_digest;
using seerflow::parse::sha1_hasher;

namespace {

std::string hex(const sha1_digest& d) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (auto b : d) {
    s.push_back(digits[b >> 4]);
    s.push_back(digits[b & 15]);
  }
  return s;
}

}  // namespace

TEST_CASE("sha1 of the FIPS and RFC 3174 test messages") {
  CHECK(hex(sha1("")) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(hex(sha1("abc")) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(hex(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  CHECK(hex(sha1("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
                 "klmnopqrlmnopqrsmnopqrstnopqrstu")) ==
        "a49b2446a02c645bf419f995b67091253a04a259");
  std::string rfc_test4;
  for (int i = 0; i < 80; ++i) rfc_test4 += "01234567";
  CHECK(hex(sha1(rfc_test4)) == "dea356a2cddd90c7a7ecedc5ebb563934f460452");
  CHECK(hex(sha1("The quick brown fox jumps over the lazy dog")) ==
        "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}

TEST_CASE("sha1 of one million 'a', fed in uneven pieces") {
  const std::string all(1000000, 'a');
  CHECK(hex(sha1(all)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  sha1_hasher h;
  std::size_t fed = 0, step = 1;
  while (fed < all.size()) {
    const std::size_t n = std::min(step, all.size() - fed);
    h.update(all.data() + fed, n);
    fed += n;
    step = step % 131 + 7;
  }
  CHECK(hex(h.finish()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST_CASE("sha1 padding boundaries: incremental equals one-shot for every length 0..200") {
  std::mt19937 rng(7);
  std::string msg;
  for (int len = 0; len <= 200; ++len) {
    const auto one_shot = sha1(msg);
    sha1_hasher h;
    for (std::size_t i = 0; i < msg.size(); ++i) h.update(msg.data() + i, 1);
    REQUIRE(h.finish() == one_shot);
    msg.push_back(static_cast<char>(rng()));
  }
  // Lengths straddling the 55/56/64-byte padding boundaries, cross-checked with Python hashlib.
  CHECK(hex(sha1(std::string(55, 'x'))) == "cef734ba81a024479e09eb5a75b6ddae62e6abf1");
  CHECK(hex(sha1(std::string(56, 'x'))) == "901305367c259952f4e7af8323f480d59f81335b");
  CHECK(hex(sha1(std::string(64, 'x'))) == "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163");
}

TEST_CASE("sha1_hasher is reusable after finish") {
  sha1_hasher h;
  h.update("abc");
  CHECK(hex(h.finish()) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  h.update("abc");
  CHECK(hex(h.finish()) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(hex(h.finish()) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}
