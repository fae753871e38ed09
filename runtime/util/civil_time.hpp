#pragma once
// Calendar arithmetic on the proleptic Gregorian calendar without the C library's time zone
// state (gmtime/timegm are slow and not constexpr). Algorithms: H. Hinnant, "chrono-compatible
// low-level date algorithms".
#include <cstdint>
#include <string>

namespace seerflow::util {

constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil_date {
  std::int64_t year;
  unsigned month, day;
};

constexpr civil_date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

constexpr bool is_leap_year(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) {
  constexpr unsigned table[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : table[m - 1];
}

inline constexpr std::int64_t ns_per_second = 1'000'000'000;
inline constexpr std::int64_t ns_per_day = 86'400 * ns_per_second;

// Nanoseconds since the epoch for a UTC civil time. No range checks: callers validate fields.
constexpr std::int64_t to_unix_ns(std::int64_t y, unsigned mon, unsigned d, unsigned h, unsigned mi,
                                  unsigned s, std::int64_t frac_ns = 0) {
  return (days_from_civil(y, mon, d) * 86400 + h * 3600 + mi * 60 + s) * ns_per_second + frac_ns;
}

// RFC 3339 in UTC: "2025-12-10T06:55:46Z", with a fraction only when it is non-zero, trimmed
// of trailing zeros ("…:46.5Z"). Stable text for golden files.
std::string format_rfc3339(std::int64_t unix_ns);

}  // namespace seerflow::util
