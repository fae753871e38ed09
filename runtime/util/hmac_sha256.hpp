#pragma once
// HMAC-SHA256 for signing outbound webhooks and checking inbound ones (GitHub's
// "X-Hub-Signature-256: sha256=<hex>"), and a comparison whose time does not depend on where two
// secrets first differ, so a caller cannot guess a token byte by byte.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace seerflow::util {

using sha256_digest = std::array<std::uint8_t, 32>;

sha256_digest hmac_sha256(std::string_view key, std::string_view message);

// Lower-case hex of the digest (64 characters).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// True when a and b are equal; the time depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

// Checks a GitHub-style signature header value ("sha256=" followed by 64 hex digits, either
// case) over `body` with `secret`. Malformed values are false, never an exception.
bool verify_hub_signature(std::string_view secret, std::string_view body,
                          std::string_view header_value);

}  // namespace seerflow::util
