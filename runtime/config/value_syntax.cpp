#include "runtime/config/value_syntax.hpp"

#include <arpa/inet.h>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "runtime/util/utf8.hpp"

namespace seerflow::config {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;
  }
  return true;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Digits followed by a unit suffix looked up in `units`; no unit uses `bare_scale`.
struct unit {
  std::string_view suffix;
  std::int64_t scale;
};

template <std::size_t N>
bool parse_scaled(std::string_view s, const std::array<unit, N>& units, std::int64_t& out,
                  bool& overflow) {
  overflow = false;
  std::size_t digits = 0;
  while (digits < s.size() && is_digit(s[digits])) ++digits;
  if (digits == 0) return false;
  std::int64_t scale = 1;
  const std::string_view suffix = s.substr(digits);
  if (!suffix.empty()) {
    bool found = false;
    for (const auto& u : units) {
      if (suffix == u.suffix) {
        scale = u.scale;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + digits, n);
  if (ec == std::errc::result_out_of_range ||
      (ec == std::errc{} && n > std::numeric_limits<std::int64_t>::max() / scale)) {
    overflow = true;
    return false;
  }
  if (ec != std::errc{} || ptr != s.data() + digits) return false;
  out = n * scale;
  return true;
}

constexpr std::array<unit, 5> duration_units{
    {{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}}};

constexpr std::int64_t kib = 1024;
constexpr std::array<unit, 7> size_units{{{"B", 1},
                                          {"KB", 1000},
                                          {"KiB", kib},
                                          {"MB", 1000 * 1000},
                                          {"MiB", kib* kib},
                                          {"GB", 1000 * 1000 * 1000},
                                          {"GiB", kib* kib* kib}}};

}  // namespace

bool parse_bool(std::string_view s, bool& out) {
  if (iequals(s, "true") || iequals(s, "yes") || iequals(s, "on")) {
    out = true;
    return true;
  }
  if (iequals(s, "false") || iequals(s, "no") || iequals(s, "off")) {
    out = false;
    return true;
  }
  return false;
}

bool parse_integer(std::string_view s, std::int64_t& out, bool& overflow) {
  overflow = false;
  std::string_view digits = s;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  const bool negative = !digits.empty() && digits.front() == '-';
  const std::size_t first_digit = negative ? 1 : 0;
  if (digits.size() <= first_digit) return false;
  for (std::size_t i = first_digit; i < digits.size(); ++i) {
    if (!is_digit(digits[i])) return false;
  }
  if (negative && s.front() == '+') return false;  // "+-5"
  std::int64_t n = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec == std::errc::result_out_of_range) {
    overflow = true;
    return false;
  }
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) return false;
  out = n;
  return true;
}

bool parse_number(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  // from_chars also reads "inf" and "nan"; a config value must be a plain finite number.
  for (char c : s) {
    if (!(is_digit(c) || c == '.' || c == '-' || c == 'e' || c == 'E' || c == '+')) return false;
  }
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || !std::isfinite(v)) return false;
  out = v;
  return true;
}

bool parse_duration_ms(std::string_view s, std::int64_t& out, bool& overflow) {
  return parse_scaled(s, duration_units, out, overflow);
}

bool parse_size_bytes(std::string_view s, std::int64_t& out, bool& overflow) {
  return parse_scaled(s, size_units, out, overflow);
}

std::string format_duration_ms(std::int64_t ms) {
  if (ms == 0) return "0ms";
  for (auto it = duration_units.rbegin(); it != duration_units.rend(); ++it) {
    if (ms % it->scale == 0) return std::to_string(ms / it->scale) + std::string(it->suffix);
  }
  return std::to_string(ms) + "ms";
}

std::string format_size_bytes(std::int64_t bytes) {
  if (bytes != 0) {
    for (std::string_view suffix : {"GiB", "MiB", "KiB"}) {
      for (const auto& u : size_units) {
        if (u.suffix == suffix && bytes % u.scale == 0) {
          return std::to_string(bytes / u.scale) + std::string(suffix);
        }
      }
    }
  }
  return std::to_string(bytes) + "B";
}

std::string format_number(double v) {
  std::array<char, 64> buf{};
  const auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  if (ec != std::errc{}) return "0";
  return std::string(buf.data(), ptr);
}

bool normalize_timezone(std::string_view s, std::string& out) {
  if (s == "UTC" || s == "local") {
    out.assign(s);
    return true;
  }
  if (s.size() != 5 && s.size() != 6) return false;
  if (s[0] != '+' && s[0] != '-') return false;
  const bool colon = s.size() == 6;
  if (colon && s[3] != ':') return false;
  const std::string_view hh = s.substr(1, 2);
  const std::string_view mm = s.substr(colon ? 4 : 3, 2);
  for (char c : hh) {
    if (!is_digit(c)) return false;
  }
  for (char c : mm) {
    if (!is_digit(c)) return false;
  }
  const int hours = (hh[0] - '0') * 10 + (hh[1] - '0');
  const int minutes = (mm[0] - '0') * 10 + (mm[1] - '0');
  if (minutes > 59 || hours * 60 + minutes > 14 * 60) return false;
  out.clear();
  out.push_back(s[0]);
  out.append(hh);
  out.push_back(':');
  out.append(mm);
  return true;
}

bool is_valid_name(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' ||
                    c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_ip_address(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  const std::string z(s);
  if (z.find('\0') != std::string::npos) return false;
  std::array<unsigned char, 16> buf{};
  return ::inet_pton(AF_INET, z.c_str(), buf.data()) == 1 ||
         ::inet_pton(AF_INET6, z.c_str(), buf.data()) == 1;
}

std::string quote_for_message(std::string_view s) {
  return "'" + escape_for_message(s) + "'";
}

std::string escape_for_message(std::string_view s, std::size_t max_chars) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  std::size_t chars = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    if (chars == max_chars) {
      out += "...";
      break;
    }
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    if (b >= 0x80) {
      // Length of the valid UTF-8 sequence at i, if any.
      const std::size_t want = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
      if (i + want <= s.size() && util::is_valid_utf8(s.substr(i, want))) n = want;
    }
    if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
    } else if (b < 0x20 || b == 0x7F || b >= 0x80) {
      out += "\\x";
      out.push_back(hex[b >> 4]);
      out.push_back(hex[b & 0xF]);
      ++i;
    } else {
      out.push_back(static_cast<char>(b));
      ++i;
    }
    ++chars;
  }
  return out;
}

}  // namespace seerflow::config
