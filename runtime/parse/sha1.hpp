#pragma once
// SHA-1 (FIPS 180-4), used only for RFC 4122 name-based UUIDs (uuid5), where the algorithm is
// fixed by the standard. Not for anything that needs collision resistance.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace seerflow::parse {

using sha1_digest = std::array<std::uint8_t, 20>;

// Incremental hasher: update() any number of times, then finish() once. finish() leaves the
// hasher reset, ready for a new message.
class sha1_hasher {
 public:
  sha1_hasher() { reset(); }
  void reset();
  void update(const void* data, std::size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }
  sha1_digest finish();

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 5> h_{};
  std::array<std::uint8_t, 64> buf_{};
  std::size_t buf_len_ = 0;
  std::uint64_t total_len_ = 0;  // bytes
};

sha1_digest sha1(std::string_view s);

}  // namespace seerflow::parse
