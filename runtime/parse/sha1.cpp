#include "runtime/parse/sha1.hpp"

#include <algorithm>
#include <cstring>

namespace seerflow::parse {
namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int n) {
  return (x << n) | (x >> (32 - n));
}

}  // namespace

void sha1_hasher::reset() {
  // Initial hash value, FIPS 180-4 section 5.3.1.
  h_ = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
  buf_len_ = 0;
  total_len_ = 0;
}

void sha1_hasher::compress(const std::uint8_t* p) {
  // FIPS 180-4 section 6.1.2, with the message schedule kept in a 16-word ring (the variant
  // of section 6.1.3) so it stays in registers and cache.
  std::uint32_t w[16];
  for (int t = 0; t < 16; ++t)
    w[t] = (std::uint32_t{p[4 * t]} << 24) | (std::uint32_t{p[4 * t + 1]} << 16) |
           (std::uint32_t{p[4 * t + 2]} << 8) | std::uint32_t{p[4 * t + 3]};

  std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
  auto schedule = [&w](int t) {
    if (t < 16) return w[t];
    const std::uint32_t v =
        rotl(w[(t + 13) & 15] ^ w[(t + 8) & 15] ^ w[(t + 2) & 15] ^ w[t & 15], 1);
    w[t & 15] = v;
    return v;
  };
  auto step = [&](std::uint32_t f, std::uint32_t k, std::uint32_t wt) {
    const std::uint32_t tmp = rotl(a, 5) + f + e + k + wt;
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = tmp;
  };
#pragma GCC unroll 20
  for (int t = 0; t < 20; ++t) step((b & c) | (~b & d), 0x5A827999u, schedule(t));
#pragma GCC unroll 20
  for (int t = 20; t < 40; ++t) step(b ^ c ^ d, 0x6ED9EBA1u, schedule(t));
#pragma GCC unroll 20
  for (int t = 40; t < 60; ++t) step((b & c) | (b & d) | (c & d), 0x8F1BBCDCu, schedule(t));
#pragma GCC unroll 20
  for (int t = 60; t < 80; ++t) step(b ^ c ^ d, 0xCA62C1D6u, schedule(t));

  h_[0] += a;
  h_[1] += b;
  h_[2] += c;
  h_[3] += d;
  h_[4] += e;
}

void sha1_hasher::update(const void* data, std::size_t n) {
  auto p = static_cast<const std::uint8_t*>(data);
  total_len_ += n;
  if (buf_len_ > 0) {
    const std::size_t take = std::min(n, buf_.size() - buf_len_);
    std::memcpy(buf_.data() + buf_len_, p, take);
    buf_len_ += take;
    p += take;
    n -= take;
    if (buf_len_ < buf_.size()) return;
    compress(buf_.data());
    buf_len_ = 0;
  }
  for (; n >= 64; p += 64, n -= 64) compress(p);
  if (n > 0) {
    std::memcpy(buf_.data(), p, n);
    buf_len_ = n;
  }
}

sha1_digest sha1_hasher::finish() {
  // Padding, FIPS 180-4 section 5.1.1: a 1 bit, zeros, then the length in bits (big-endian).
  const std::uint64_t bits = total_len_ * 8;
  buf_[buf_len_++] = 0x80;
  if (buf_len_ > 56) {
    std::memset(buf_.data() + buf_len_, 0, 64 - buf_len_);
    compress(buf_.data());
    buf_len_ = 0;
  }
  std::memset(buf_.data() + buf_len_, 0, 56 - buf_len_);
  for (int i = 0; i < 8; ++i) buf_[56 + i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
  compress(buf_.data());

  sha1_digest out;
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = static_cast<std::uint8_t>(h_[i] >> (24 - 8 * j));
  reset();
  return out;
}

sha1_digest sha1(std::string_view s) {
  sha1_hasher h;
  h.update(s);
  return h.finish();
}

}  // namespace seerflow::parse
