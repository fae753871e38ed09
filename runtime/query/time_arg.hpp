#pragma once
// Time arguments of the query commands: "--last 1h30m" and "--since 2026-11-21T10:00:00Z".
// Strict: anything not understood is refused (nullopt) so that a typo never widens a query.
#include <cstdint>
#include <optional>
#include <string_view>

namespace seerflow::query {

// "90s", "15m", "1h", "2d", "1w", or a sum of them ("1h30m"); positive. Nanoseconds.
std::optional<std::int64_t> parse_duration_ns(std::string_view text);

// An instant, ns since the epoch: "2026-11-21" (midnight UTC), "2026-11-21T10:00:00[.fff]",
// with 'T' or a space, then 'Z', "+hh:mm" or "-hh:mm" (no suffix: UTC); or "@1763719200" (Unix
// seconds).
std::optional<std::int64_t> parse_time_ns(std::string_view text);

}  // namespace seerflow::query
