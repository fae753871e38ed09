#include "runtime/util/hmac_sha256.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

namespace seerflow::util {

sha256_digest hmac_sha256(std::string_view key, std::string_view message) {
  sha256_digest out{};
  unsigned int len = 0;
  // An empty key is legal HMAC; OpenSSL wants a non-null pointer for it.
  static const char empty = 0;
  HMAC(EVP_sha256(), key.empty() ? &empty : key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len);
  return out;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
  static constexpr char digits[] = "0123456789abcdef";
  const auto d = hmac_sha256(key, message);
  std::string hex;
  hex.reserve(d.size() * 2);
  for (auto b : d) {
    hex.push_back(digits[b >> 4]);
    hex.push_back(digits[b & 0xF]);
  }
  return hex;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  // Lengths are not secret (a token's length is in the config file's shape anyway); contents are.
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]);
  return diff == 0;
}

bool verify_hub_signature(std::string_view secret, std::string_view body,
                          std::string_view header_value) {
  constexpr std::string_view prefix = "sha256=";
  if (header_value.size() != prefix.size() + 64 || header_value.substr(0, prefix.size()) != prefix)
    return false;
  std::string given(header_value.substr(prefix.size()));
  for (auto& c : given) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return constant_time_equal(given, hmac_sha256_hex(secret, body));
}

}  // namespace seerflow::util
