#include "runtime/query/time_arg.hpp"

#include <limits>

#include "runtime/util/civil_time.hpp"

namespace seerflow::query {
namespace {

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly n digits at s[i].
bool fixed(std::string_view s, std::size_t& i, std::size_t n, unsigned& out) {
  if (i + n > s.size()) return false;
  out = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!digit(s[i + k])) return false;
    out = out * 10 + static_cast<unsigned>(s[i + k] - '0');
  }
  i += n;
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_duration_ns(std::string_view t) {
  if (t.empty()) return std::nullopt;
  constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < t.size()) {
    std::int64_t n = 0;
    const std::size_t start = i;
    while (i < t.size() && digit(t[i])) {
      if (n > 1'000'000'000) return std::nullopt;  // nonsense lengths
      n = n * 10 + (t[i++] - '0');
    }
    if (i == start || i == t.size()) return std::nullopt;
    std::int64_t unit = 0;
    switch (t[i++]) {
      case 's':
        unit = util::ns_per_second;
        break;
      case 'm':
        unit = 60 * util::ns_per_second;
        break;
      case 'h':
        unit = 3600 * util::ns_per_second;
        break;
      case 'd':
        unit = util::ns_per_day;
        break;
      case 'w':
        unit = 7 * util::ns_per_day;
        break;
      default:
        return std::nullopt;
    }
    if (n > (max - total) / unit) return std::nullopt;
    total += n * unit;
  }
  if (total <= 0) return std::nullopt;
  return total;
}

std::optional<std::int64_t> parse_time_ns(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (s[0] == '@') {
    std::int64_t v = 0;
    if (s.size() < 2 || s.size() > 12) return std::nullopt;
    for (std::size_t i = 1; i < s.size(); ++i) {
      if (!digit(s[i])) return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v * util::ns_per_second;
  }
  std::size_t i = 0;
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!fixed(s, i, 4, y) || i >= s.size() || s[i++] != '-' || !fixed(s, i, 2, mo) ||
      i >= s.size() || s[i++] != '-' || !fixed(s, i, 2, d))
    return std::nullopt;
  if (y < 1970 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > util::days_in_month(y, mo))
    return std::nullopt;
  std::int64_t frac = 0, offset_s = 0;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ') return std::nullopt;
    ++i;
    if (!fixed(s, i, 2, h) || i >= s.size() || s[i++] != ':' || !fixed(s, i, 2, mi))
      return std::nullopt;
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!fixed(s, i, 2, sec)) return std::nullopt;
      if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
        ++i;
        std::int64_t scale = 100'000'000;
        const std::size_t start = i;
        while (i < s.size() && digit(s[i])) {
          if (scale > 0) frac += (s[i] - '0') * scale;
          scale /= 10;
          ++i;
        }
        if (i == start) return std::nullopt;
      }
    }
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    if (i < s.size()) {
      if (s[i] == 'Z' || s[i] == 'z') {
        ++i;
      } else if (s[i] == '+' || s[i] == '-') {
        const int sign = s[i++] == '-' ? -1 : 1;
        unsigned oh = 0, om = 0;
        if (!fixed(s, i, 2, oh)) return std::nullopt;
        if (i < s.size() && s[i] == ':') ++i;
        if (!fixed(s, i, 2, om) || oh > 23 || om > 59) return std::nullopt;
        offset_s = sign * static_cast<std::int64_t>(oh * 3600 + om * 60);
      }
    }
    if (i != s.size()) return std::nullopt;
  }
  return util::to_unix_ns(y, mo, d, h, mi, sec, frac) - offset_s * util::ns_per_second;
}

}  // namespace seerflow::query
