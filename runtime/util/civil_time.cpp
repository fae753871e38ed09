#include "runtime/util/civil_time.hpp"

#include <cstdio>

namespace seerflow::util {

std::string format_rfc3339(std::int64_t unix_ns) {
  std::int64_t days = unix_ns / ns_per_day;
  std::int64_t rem = unix_ns % ns_per_day;
  if (rem < 0) {
    rem += ns_per_day;
    --days;
  }
  const auto date = civil_from_days(days);
  const std::int64_t secs = rem / ns_per_second;
  std::int64_t frac = rem % ns_per_second;
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld",
                        static_cast<long long>(date.year), date.month, date.day,
                        static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                        static_cast<long long>(secs % 60));
  if (frac != 0) {
    int digits = 9;
    while (frac % 10 == 0) {
      frac /= 10;
      --digits;
    }
    n += std::snprintf(buf + n, sizeof buf - n, ".%0*lld", digits, static_cast<long long>(frac));
  }
  buf[n++] = 'Z';
  return std::string(buf, n);
}

}  // namespace seerflow::util
