#include "runtime/parse/timestamp.hpp"

#include <ctime>
#include <limits>

#include "runtime/util/civil_time.hpp"

namespace seerflow::parse {

namespace {

using util::ns_per_day;
using util::ns_per_second;

// Years whose instants fit in int64 nanoseconds with a day to spare for zone offsets.
constexpr std::int64_t min_year = 1678;
constexpr std::int64_t max_year = 2261;

// Epoch numbers are only taken for times when they fall in this span (2000-01-01..2100-01-01).
constexpr std::int64_t epoch_min_s = 946'684'800;
constexpr std::int64_t epoch_max_s = 4'102'444'800;

struct stamp {
  std::int64_t year = 0;
  bool has_year = true;
  unsigned mon = 0, day = 0, hour = 0, min = 0, sec = 0;
  std::int64_t frac_ns = 0;
  bool has_zone = false;
  std::int32_t offset_s = 0;
};

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

char at(std::string_view s, std::size_t i) {
  return i < s.size() ? s[i] : '\0';
}

// Exactly n digits at s[i]; advances i.
bool read_digits(std::string_view s, std::size_t& i, unsigned n, unsigned& v) {
  if (i + n > s.size()) return false;
  unsigned r = 0;
  for (unsigned k = 0; k < n; ++k) {
    const char c = s[i + k];
    if (!is_digit(c)) return false;
    r = r * 10 + static_cast<unsigned>(c - '0');
  }
  v = r;
  i += n;
  return true;
}

std::size_t count_digits(std::string_view s, std::size_t i) {
  std::size_t n = 0;
  while (i + n < s.size() && is_digit(s[i + n])) ++n;
  return n;
}

bool expect(std::string_view s, std::size_t& i, char c) {
  if (at(s, i) != c || i >= s.size()) return false;
  ++i;
  return true;
}

// The byte after a timestamp must not be able to continue a word or a number.
bool at_boundary(std::string_view s, std::size_t i) {
  return i >= s.size() || !(is_digit(s[i]) || is_alpha(s[i]));
}

// Optional fraction: one of `seps`, then 1..9 digits. A tenth digit makes the stamp invalid.
bool read_fraction(std::string_view s, std::size_t& i, std::string_view seps, std::int64_t& ns) {
  if (i >= s.size() || seps.find(s[i]) == std::string_view::npos || !is_digit(at(s, i + 1)))
    return true;
  const std::size_t n = count_digits(s, i + 1);
  if (n > 9) return false;
  std::int64_t v = 0;
  for (std::size_t k = 0; k < n; ++k) v = v * 10 + (s[i + 1 + k] - '0');
  for (std::size_t k = n; k < 9; ++k) v *= 10;
  ns = v;
  i += 1 + n;
  return true;
}

// ±hh, ±hhmm or ±hh:mm at s[i] (RFC 3339 grammar: hh 00-23, mm 00-59).
bool read_offset(std::string_view s, std::size_t& i, std::int32_t& offset_s) {
  const char sign = at(s, i);
  if (sign != '+' && sign != '-') return false;
  std::size_t j = i + 1;
  unsigned hh = 0, mm = 0;
  if (!read_digits(s, j, 2, hh) || hh > 23) return false;
  if (at(s, j) == ':') {
    ++j;
    if (!read_digits(s, j, 2, mm)) return false;
  } else if (is_digit(at(s, j))) {
    if (!read_digits(s, j, 2, mm)) return false;
  }
  if (mm > 59 || is_digit(at(s, j))) return false;
  offset_s = static_cast<std::int32_t>((hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1));
  i = j;
  return true;
}

// Zone after a time: Z, a numeric offset, or nothing. A sign followed by a digit must be a valid
// offset, so "…:47+0" is not silently read as zone-less.
bool read_zone(std::string_view s, std::size_t& i, stamp& st) {
  const char c = at(s, i);
  if (i < s.size() && (c == 'Z' || c == 'z')) {
    st.has_zone = true;
    st.offset_s = 0;
    ++i;
    return true;
  }
  if ((c == '+' || c == '-') && is_digit(at(s, i + 1))) {
    if (!read_offset(s, i, st.offset_s)) return false;
    st.has_zone = true;
  }
  return true;
}

// " UTC" / " GMT" after a zone-less time (PostgreSQL, many Java layouts).
void read_named_utc(std::string_view s, std::size_t& i, stamp& st) {
  if (st.has_zone || at(s, i) != ' ' || i + 4 > s.size()) return;
  const std::string_view w = s.substr(i + 1, 3);
  if ((w == "UTC" || w == "GMT") && at_boundary(s, i + 4)) {
    st.has_zone = true;
    st.offset_s = 0;
    i += 4;
  }
}

unsigned month_from_name(std::string_view s, std::size_t i) {
  if (i + 3 > s.size()) return 0;
  const char a = lower(s[i]), b = lower(s[i + 1]), c = lower(s[i + 2]);
  constexpr std::string_view names = "janfebmaraprmayjunjulaugsepoctnovdec";
  for (unsigned m = 0; m < 12; ++m)
    if (names[m * 3] == a && names[m * 3 + 1] == b && names[m * 3 + 2] == c) return m + 1;
  return 0;
}

bool is_weekday_name(std::string_view s, std::size_t i) {
  if (i + 3 > s.size()) return false;
  const char a = lower(s[i]), b = lower(s[i + 1]), c = lower(s[i + 2]);
  constexpr std::string_view names = "montuewedthufrisatsun";
  for (unsigned d = 0; d < 7; ++d)
    if (names[d * 3] == a && names[d * 3 + 1] == b && names[d * 3 + 2] == c) return true;
  return false;
}

bool read_hms(std::string_view s, std::size_t& i, stamp& st, bool allow_leap = false) {
  return read_digits(s, i, 2, st.hour) && expect(s, i, ':') && read_digits(s, i, 2, st.min) &&
         expect(s, i, ':') && read_digits(s, i, 2, st.sec) && st.hour < 24 && st.min < 60 &&
         (st.sec < 60 || (allow_leap && st.sec == 60));
}

bool valid_date(const stamp& st) {
  if (st.mon < 1 || st.mon > 12 || st.day < 1) return false;
  if (!st.has_year) return st.day <= (st.mon == 2 ? 29u : util::days_in_month(2001, st.mon));
  return st.year >= min_year && st.year <= max_year &&
         st.day <= util::days_in_month(st.year, st.mon);
}

std::int64_t two_digit_year(unsigned yy) {
  return yy >= 69 ? 1900 + yy : 2000 + yy;
}

std::int32_t local_offset_at(std::int64_t utc_s) {
  static const bool zone_loaded = [] {
    ::tzset();
    return true;
  }();
  (void)zone_loaded;
  struct entry {
    std::int64_t bucket = std::numeric_limits<std::int64_t>::min();
    std::int32_t offset = 0;
  };
  thread_local entry cache[4];
  const std::int64_t bucket = floor_div(utc_s, 900);
  entry& e = cache[static_cast<std::uint64_t>(bucket) & 3];
  if (e.bucket == bucket) return e.offset;
  const std::time_t t = static_cast<std::time_t>(utc_s);
  std::tm tm{};
  std::int32_t offset = 0;
  if (::localtime_r(&t, &tm) != nullptr) offset = static_cast<std::int32_t>(tm.tm_gmtoff);
  e = {bucket, offset};
  return offset;
}

std::int64_t civil_ns(std::int64_t year, const stamp& st) {
  return util::to_unix_ns(year, st.mon, st.day, st.hour, st.min, st.sec, st.frac_ns);
}

std::int64_t to_utc(std::int64_t year, const stamp& st, const time_context& ctx) {
  const std::int64_t local = civil_ns(year, st);
  if (st.has_zone) return local - static_cast<std::int64_t>(st.offset_s) * ns_per_second;
  return zone_local_to_utc(local, ctx);
}

std::int64_t distance(std::int64_t a, std::int64_t b) {
  return a > b ? a - b : b - a;
}

// A year-less stamp takes the year that puts it nearest to the reference instant.
bool infer_year(const stamp& st, const time_context& ctx, std::int64_t& out_ns) {
  // Feb 29 of a common fixed year does not exist: the nearest leap year is taken as usual.
  if (ctx.fixed_year >= min_year && ctx.fixed_year <= max_year &&
      st.day <= util::days_in_month(ctx.fixed_year, st.mon)) {
    out_ns = to_utc(ctx.fixed_year, st, ctx);
    return true;
  }
  const std::int64_t ref = ctx.reference_ns;
  const std::int64_t ref_local =
      ref + static_cast<std::int64_t>(ctx.local_zone
                                          ? local_offset_at(floor_div(ref, ns_per_second))
                                          : ctx.utc_offset_s) *
                ns_per_second;
  // Consecutive records mostly share the reference day: remember its year.
  thread_local std::int64_t cached_day = std::numeric_limits<std::int64_t>::min();
  thread_local std::int64_t cached_year = 0;
  const std::int64_t ref_day = floor_div(ref_local, ns_per_day);
  if (ref_day != cached_day) {
    cached_year = util::civil_from_days(ref_day).year;
    cached_day = ref_day;
  }
  const std::int64_t ref_year = cached_year;
  // Fast path: within 182 days of the reference, no other year can be nearer (they are 365 or
  // 366 days away), so the usual case needs one conversion.
  if (ref_year >= min_year && ref_year <= max_year &&
      st.day <= util::days_in_month(ref_year, st.mon)) {
    const std::int64_t cand = to_utc(ref_year, st, ctx);
    if (distance(cand, ref) < 182 * ns_per_day) {
      out_ns = cand;
      return true;
    }
  }
  bool found = false;
  std::int64_t best = 0;
  // Feb 29 may need to reach the nearest leap year; every other date is valid in each year.
  for (const std::int64_t span : {1, 4}) {
    for (std::int64_t y = ref_year - span; y <= ref_year + span; ++y) {
      if (y < min_year || y > max_year || st.day > util::days_in_month(y, st.mon)) continue;
      const std::int64_t cand = to_utc(y, st, ctx);
      if (!found || distance(cand, ref) < distance(best, ref)) {
        best = cand;
        found = true;
      }
    }
    if (found) break;
  }
  if (!found) return false;
  out_ns = best;
  return true;
}

bool finish(const stamp& st, const time_context& ctx, std::int64_t& out_ns) {
  if (!valid_date(st)) return false;
  if (!st.has_year) return infer_year(st, ctx, out_ns);
  out_ns = to_utc(st.year, st, ctx);
  return true;
}

// yyyy-MM-dd[T| ]HH:mm:ss[.f][zone]; `space_sep` allows the space separator.
std::size_t parse_iso(std::string_view s, const time_context& ctx, std::int64_t& out,
                      bool space_sep) {
  std::size_t i = 0;
  stamp st;
  unsigned y = 0;
  if (!read_digits(s, i, 4, y) || !expect(s, i, '-') || !read_digits(s, i, 2, st.mon) ||
      !expect(s, i, '-') || !read_digits(s, i, 2, st.day))
    return 0;
  st.year = y;
  const char sep = at(s, i);
  if (i >= s.size() || !(sep == 'T' || sep == 't' || (space_sep && sep == ' '))) return 0;
  ++i;
  if (!read_hms(s, i, st) || !read_fraction(s, i, ".,", st.frac_ns) || !read_zone(s, i, st))
    return 0;
  read_named_utc(s, i, st);
  if (!at_boundary(s, i) || !finish(st, ctx, out)) return 0;
  return i;
}

// Mmm dd[ yyyy] HH:mm:ss[.f], day as "dd", " d" or "d".
std::size_t parse_bsd(std::string_view s, std::size_t i, const time_context& ctx,
                      std::int64_t& out) {
  stamp st;
  st.mon = month_from_name(s, i);
  if (st.mon == 0 || at(s, i + 3) != ' ') return 0;
  i += 4;
  if (at(s, i) == ' ') ++i;  // "Jun  4": space-padded day
  const std::size_t nd = count_digits(s, i);
  if (nd < 1 || nd > 2 || !read_digits(s, i, static_cast<unsigned>(nd), st.day) ||
      !expect(s, i, ' '))
    return 0;
  st.has_year = false;
  if (count_digits(s, i) == 4 && at(s, i + 4) == ' ') {
    unsigned y = 0;
    read_digits(s, i, 4, y);
    ++i;
    st.year = y;
    st.has_year = true;
  }
  if (!read_hms(s, i, st) || !read_fraction(s, i, ".", st.frac_ns)) return 0;
  if (!at_boundary(s, i) || !finish(st, ctx, out)) return 0;
  return i;
}

// Www Mmm dd HH:mm:ss[.f][ yyyy]
std::size_t parse_ctime(std::string_view s, const time_context& ctx, std::int64_t& out) {
  if (!is_weekday_name(s, 0) || at(s, 3) != ' ') return 0;
  std::size_t i = 4;
  stamp st;
  st.mon = month_from_name(s, i);
  if (st.mon == 0 || at(s, i + 3) != ' ') return 0;
  i += 4;
  if (at(s, i) == ' ') ++i;
  const std::size_t nd = count_digits(s, i);
  if (nd < 1 || nd > 2 || !read_digits(s, i, static_cast<unsigned>(nd), st.day) ||
      !expect(s, i, ' ') || !read_hms(s, i, st) || !read_fraction(s, i, ".", st.frac_ns))
    return 0;
  st.has_year = false;
  if (at(s, i) == ' ' && count_digits(s, i + 1) == 4 && at_boundary(s, i + 5)) {
    ++i;
    unsigned y = 0;
    read_digits(s, i, 4, y);
    st.year = y;
    st.has_year = true;
  }
  if (!at_boundary(s, i) || !finish(st, ctx, out)) return 0;
  return i;
}

// dd/Mmm/yyyy:HH:mm:ss[ ±hhmm]
std::size_t parse_clf(std::string_view s, const time_context& ctx, std::int64_t& out) {
  std::size_t i = 0;
  stamp st;
  unsigned y = 0;
  if (!read_digits(s, i, 2, st.day) || !expect(s, i, '/')) return 0;
  st.mon = month_from_name(s, i);
  if (st.mon == 0) return 0;
  i += 3;
  if (!expect(s, i, '/') || !read_digits(s, i, 4, y) || !expect(s, i, ':') || !read_hms(s, i, st))
    return 0;
  st.year = y;
  if (at(s, i) == ' ' && (at(s, i + 1) == '+' || at(s, i + 1) == '-') &&
      count_digits(s, i + 2) == 4) {
    std::size_t j = i + 1;
    if (!read_offset(s, j, st.offset_s)) return 0;
    st.has_zone = true;
    i = j;
  }
  if (!at_boundary(s, i) || !finish(st, ctx, out)) return 0;
  return i;
}

// yyyy/MM/dd HH:mm:ss[.f] or yy/MM/dd HH:mm:ss[.f]
std::size_t parse_slashed(std::string_view s, unsigned year_digits, const time_context& ctx,
                          std::int64_t& out) {
  std::size_t i = 0;
  stamp st;
  unsigned y = 0;
  if (!read_digits(s, i, year_digits, y) || !expect(s, i, '/') || !read_digits(s, i, 2, st.mon) ||
      !expect(s, i, '/') || !read_digits(s, i, 2, st.day) || !expect(s, i, ' ') ||
      !read_hms(s, i, st) || !read_fraction(s, i, ".,", st.frac_ns))
    return 0;
  st.year = year_digits == 2 ? two_digit_year(y) : y;
  if (!at_boundary(s, i) || !finish(st, ctx, out)) return 0;
  return i;
}

// yyMMdd HHmmss
std::size_t parse_compact_hdfs(std::string_view s, const time_context& ctx, std::int64_t& out) {
  std::size_t i = 0;
  stamp st;
  unsigned yy = 0;
  if (!read_digits(s, i, 2, yy) || !read_digits(s, i, 2, st.mon) || !read_digits(s, i, 2, st.day) ||
      !expect(s, i, ' ') || !read_digits(s, i, 2, st.hour) || !read_digits(s, i, 2, st.min) ||
      !read_digits(s, i, 2, st.sec))
    return 0;
  st.year = two_digit_year(yy);
  if (st.hour > 23 || st.min > 59 || st.sec > 59) return 0;
  if (!at_boundary(s, i) || !finish(st, ctx, out)) return 0;
  return i;
}

// 1 or 2 digits at s[i] (not 3); advances i.
bool read_short_number(std::string_view s, std::size_t& i, unsigned& v) {
  const std::size_t n = count_digits(s, i);
  return n >= 1 && n <= 2 && read_digits(s, i, static_cast<unsigned>(n), v);
}

// yyyyMMdd-H:m:s[:S]: HealthApp writes hours, minutes, seconds and milliseconds unpadded
// ("20171223-22:16:0:119", ":96" is 96 ms).
std::size_t parse_compact_dash(std::string_view s, const time_context& ctx, std::int64_t& out) {
  std::size_t i = 0;
  stamp st;
  unsigned y = 0;
  if (!read_digits(s, i, 4, y) || !read_digits(s, i, 2, st.mon) || !read_digits(s, i, 2, st.day) ||
      !expect(s, i, '-') || !read_short_number(s, i, st.hour) || !expect(s, i, ':') ||
      !read_short_number(s, i, st.min) || !expect(s, i, ':') || !read_short_number(s, i, st.sec) ||
      st.hour > 23 || st.min > 59 || st.sec > 59)
    return 0;
  st.year = y;
  if (at(s, i) == ':' && is_digit(at(s, i + 1))) {
    const std::size_t n = count_digits(s, i + 1);
    if (n > 3) return 0;
    unsigned ms = 0;
    ++i;
    read_digits(s, i, static_cast<unsigned>(n), ms);
    st.frac_ns = static_cast<std::int64_t>(ms) * 1'000'000;
  }
  if (!at_boundary(s, i) || !finish(st, ctx, out)) return 0;
  return i;
}

bool epoch_boundary(std::string_view s, std::size_t i) {
  if (i >= s.size()) return true;
  const char c = s[i];
  return c == ' ' || c == '\t' || c == ']' || c == '|' || c == ',' || c == ';';
}

std::size_t parse_epoch(std::string_view s, std::size_t n, std::int64_t& out) {
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < n; ++k) v = v * 10 + static_cast<std::uint64_t>(s[k] - '0');
  std::int64_t scale = 0;
  switch (n) {
    case 10:
      scale = ns_per_second;
      break;
    case 13:
      scale = 1'000'000;
      break;
    case 16:
      scale = 1'000;
      break;
    case 19:
      scale = 1;
      break;
    default:
      return 0;
  }
  const std::uint64_t per_s = static_cast<std::uint64_t>(ns_per_second / scale);
  if (v < static_cast<std::uint64_t>(epoch_min_s) * per_s ||
      v >= static_cast<std::uint64_t>(epoch_max_s) * per_s)
    return 0;
  std::int64_t ns = static_cast<std::int64_t>(v) * scale;
  std::size_t i = n;
  if (n == 10 && at(s, i) == '.' && is_digit(at(s, i + 1))) {
    std::int64_t frac = 0;
    if (!read_fraction(s, i, ".", frac)) return 0;
    ns += frac;
  }
  if (!epoch_boundary(s, i)) return 0;
  out = ns;
  return i;
}

std::size_t parse_unbracketed(std::string_view s, const time_context& ctx, std::int64_t& out) {
  if (s.empty()) return 0;
  if (is_digit(s[0])) {
    const std::size_t n = count_digits(s, 0);
    const char next = at(s, n);
    switch (n) {
      case 2:
        if (next != '/') return 0;
        return is_alpha(at(s, 3)) ? parse_clf(s, ctx, out) : parse_slashed(s, 2, ctx, out);
      case 4:
        if (next == '-') return parse_iso(s, ctx, out, true);
        if (next == '/') return parse_slashed(s, 4, ctx, out);
        return 0;
      case 6:
        return next == ' ' ? parse_compact_hdfs(s, ctx, out) : 0;
      case 8:
        return next == '-' ? parse_compact_dash(s, ctx, out) : 0;
      case 10:
      case 13:
      case 16:
      case 19:
        return parse_epoch(s, n, out);
      default:
        return 0;
    }
  }
  if (!is_alpha(s[0])) return 0;
  if (month_from_name(s, 0) != 0) return parse_bsd(s, 0, ctx, out);
  return parse_ctime(s, ctx, out);
}

}  // namespace

std::size_t parse_leading_timestamp(std::string_view s, const time_context& ctx,
                                    std::int64_t& out_ns) {
  if (!s.empty() && s[0] == '[') {
    std::int64_t v = 0;
    const std::size_t n = parse_unbracketed(s.substr(1), ctx, v);
    if (n == 0 || at(s, n + 1) != ']' || n + 1 >= s.size()) return 0;
    out_ns = v;
    return n + 2;
  }
  return parse_unbracketed(s, ctx, out_ns);
}

std::size_t parse_syslog_timestamp(std::string_view s, const time_context& ctx,
                                   std::int64_t& out_ns) {
  if (s.empty()) return 0;
  if (is_digit(s[0])) return count_digits(s, 0) == 4 ? parse_iso(s, ctx, out_ns, false) : 0;
  return parse_bsd(s, 0, ctx, out_ns);
}

bool parse_rfc3339(std::string_view whole, std::int64_t& out_ns) {
  std::size_t i = 0;
  stamp st;
  unsigned y = 0;
  if (!read_digits(whole, i, 4, y) || !expect(whole, i, '-') || !read_digits(whole, i, 2, st.mon) ||
      !expect(whole, i, '-') || !read_digits(whole, i, 2, st.day))
    return false;
  st.year = y;
  const char sep = at(whole, i);
  if (i >= whole.size() || (sep != 'T' && sep != 't')) return false;
  ++i;
  if (!read_hms(whole, i, st, true) || !read_fraction(whole, i, ".", st.frac_ns)) return false;
  const char z = at(whole, i);
  if (i < whole.size() && (z == 'Z' || z == 'z')) {
    ++i;
  } else {
    // RFC 3339 time-numoffset is exactly ±hh:mm.
    if ((z != '+' && z != '-') || i + 6 != whole.size() || whole[i + 3] != ':') return false;
    if (!read_offset(whole, i, st.offset_s)) return false;
  }
  if (i != whole.size() || !valid_date(st)) return false;
  out_ns = civil_ns(st.year, st) - static_cast<std::int64_t>(st.offset_s) * ns_per_second;
  return true;
}

bool parse_zone_spec(std::string_view spec, time_context& out) {
  auto iequals = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t k = 0; k < a.size(); ++k)
      if (lower(a[k]) != b[k]) return false;
    return true;
  };
  if (iequals(spec, "utc") || iequals(spec, "gmt") || iequals(spec, "z")) {
    out.utc_offset_s = 0;
    out.local_zone = false;
    return true;
  }
  if (iequals(spec, "local")) {
    out.utc_offset_s = 0;
    out.local_zone = true;
    return true;
  }
  std::size_t i = 0;
  std::int32_t offset = 0;
  if (!read_offset(spec, i, offset) || i != spec.size()) return false;
  out.utc_offset_s = offset;
  out.local_zone = false;
  return true;
}

std::int64_t zone_local_to_utc(std::int64_t local_ns, const time_context& ctx) {
  if (!ctx.local_zone)
    return local_ns - static_cast<std::int64_t>(ctx.utc_offset_s) * ns_per_second;
  // The offset is a function of the UTC instant we are looking for: guess with the offset at the
  // local reading, then correct once (enough except inside a transition's gap or overlap, where
  // either answer is a valid reading of an ambiguous or non-existent wall-clock time).
  const std::int64_t local_s = floor_div(local_ns, ns_per_second);
  const std::int32_t first = local_offset_at(local_s);
  const std::int32_t second = local_offset_at(local_s - first);
  return local_ns - static_cast<std::int64_t>(second) * ns_per_second;
}

}  // namespace seerflow::parse
