// Calendar arithmetic and RFC 3339 formatting, checked against an independent day-by-day walk
// of the proleptic Gregorian calendar and against instants computed outside this code.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "runtime/util/civil_time.hpp"

using namespace seerflow::util;

namespace {

// Walks the calendar one day at a time with nothing but month lengths: an oracle that shares
// no arithmetic with Hinnant's algorithms.
struct calendar_walker {
  std::int64_t y;
  unsigned m, d;
  void next() {
    if (d < days_in_month(y, m)) {
      ++d;
    } else if (m < 12) {
      ++m;
      d = 1;
    } else {
      ++y;
      m = 1;
      d = 1;
    }
  }
};

constexpr std::int64_t s = ns_per_second;

}  // namespace

TEST_CASE("days_from_civil: known day numbers") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1970, 1, 2) == 1);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(1, 1, 1) == -719162);
  CHECK(days_from_civil(0, 3, 1) == -719468);  // the algorithm's own epoch
  // constexpr: usable at compile time.
  static_assert(days_from_civil(1970, 1, 1) == 0);
  static_assert(civil_from_days(0).year == 1970);
}

TEST_CASE("days_from_civil and civil_from_days: every day from year -1000 to 3000") {
  calendar_walker w{-1000, 1, 1};
  std::int64_t z = days_from_civil(-1000, 1, 1);
  std::uint64_t days = 0, mismatches = 0;
  std::string first_bad;
  while (w.y <= 3000) {
    const auto c = civil_from_days(z);
    const bool ok =
        days_from_civil(w.y, w.m, w.d) == z && c.year == w.y && c.month == w.m && c.day == w.d;
    if (!ok && mismatches++ == 0)
      first_bad = std::to_string(w.y) + "-" + std::to_string(w.m) + "-" + std::to_string(w.d);
    w.next();
    ++z;
    ++days;
  }
  INFO("first mismatch at " << first_bad);
  CHECK(mismatches == 0);
  // 4001 years = 10 full 400-year cycles (146097 days each) + 1 year (3000 is not leap).
  CHECK(days == 10 * 146097 + 365);
  CHECK(z == days_from_civil(3001, 1, 1));
}

TEST_CASE("civil_from_days: every day of 1999 to 2001") {
  calendar_walker w{1999, 1, 1};
  std::int64_t z = days_from_civil(1999, 1, 1);
  CHECK(z == 10592);
  int feb29 = 0;
  for (int i = 0; i < 365 + 366 + 365; ++i, ++z, w.next()) {
    const auto c = civil_from_days(z);
    REQUIRE(c.year == w.y);
    REQUIRE(c.month == w.m);
    REQUIRE(c.day == w.d);
    REQUIRE(days_from_civil(c.year, c.month, c.day) == z);
    if (c.month == 2 && c.day == 29) ++feb29;
  }
  CHECK(feb29 == 1);  // 2000 only
  CHECK(w.y == 2002);
  CHECK(w.m == 1);
  CHECK(w.d == 1);
}

TEST_CASE("civil_from_days: far from the epoch in both directions") {
  for (std::int64_t year :
       {-100000LL, -4713LL, -401LL, -400LL, -1LL, 0LL, 1LL, 9999LL, 10000LL, 275760LL, 1000000LL}) {
    for (unsigned m : {1u, 2u, 3u, 12u}) {
      const unsigned last = days_in_month(year, m);
      for (unsigned d : {1u, last}) {
        const auto c = civil_from_days(days_from_civil(year, m, d));
        CHECK(c.year == year);
        CHECK(c.month == m);
        CHECK(c.day == d);
      }
    }
  }
}

TEST_CASE("leap years follow the Gregorian rules") {
  CHECK_FALSE(is_leap_year(1900));
  CHECK(is_leap_year(2000));
  CHECK(is_leap_year(2024));
  CHECK_FALSE(is_leap_year(2023));
  CHECK_FALSE(is_leap_year(2100));
  CHECK(is_leap_year(2400));
  CHECK(is_leap_year(0));  // proleptic: 1 BC
  CHECK(is_leap_year(-4));
  CHECK_FALSE(is_leap_year(-100));
  CHECK(is_leap_year(-400));
  CHECK_FALSE(is_leap_year(-1));

  CHECK(days_in_month(1900, 2) == 28);
  CHECK(days_in_month(2000, 2) == 29);
  CHECK(days_in_month(2024, 2) == 29);
  CHECK(days_in_month(2023, 2) == 28);
  CHECK(days_in_month(2023, 1) == 31);
  CHECK(days_in_month(2023, 4) == 30);
  CHECK(days_in_month(2023, 12) == 31);
  // The day after Feb 28 is Feb 29 exactly in leap years.
  CHECK(civil_from_days(days_from_civil(2024, 2, 28) + 1).day == 29);
  CHECK(civil_from_days(days_from_civil(1900, 2, 28) + 1).month == 3);
  CHECK(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28) == 2);
  CHECK(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28) == 1);
}

TEST_CASE("to_unix_ns: known instants") {
  CHECK(to_unix_ns(1970, 1, 1, 0, 0, 0) == 0);
  CHECK(to_unix_ns(1970, 1, 1, 0, 0, 1) == s);
  CHECK(to_unix_ns(1969, 12, 31, 23, 59, 59) == -s);
  CHECK(to_unix_ns(2000, 1, 1, 0, 0, 0) == 946'684'800 * s);
  CHECK(to_unix_ns(2001, 9, 9, 1, 46, 40) == 1'000'000'000 * s);
  CHECK(to_unix_ns(2025, 12, 10, 6, 55, 46) == 1'765'349'746 * s);
  CHECK(to_unix_ns(2038, 1, 19, 3, 14, 7) == 2'147'483'647 * s);
  CHECK(to_unix_ns(1900, 1, 1, 0, 0, 0) == -2'208'988'800 * s);
  CHECK(to_unix_ns(2024, 2, 29, 12, 0, 0, 250'000'000) == 1'709'208'000 * s + 250'000'000);
  CHECK(to_unix_ns(1969, 12, 31, 23, 59, 59, 999'999'999) == -1);
  // The largest and smallest instants an int64 of nanoseconds holds.
  CHECK(to_unix_ns(2262, 4, 11, 23, 47, 16, 854'775'807) ==
        std::numeric_limits<std::int64_t>::max());
  CHECK(to_unix_ns(1677, 9, 21, 0, 12, 43, 145'224'192) ==
        std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("format_rfc3339: whole seconds end in Z") {
  CHECK(format_rfc3339(0) == "1970-01-01T00:00:00Z");
  CHECK(format_rfc3339(1'765'349'746 * s) == "2025-12-10T06:55:46Z");
  CHECK(format_rfc3339(946'684'800 * s) == "2000-01-01T00:00:00Z");
  CHECK(format_rfc3339(to_unix_ns(2024, 2, 29, 23, 59, 59)) == "2024-02-29T23:59:59Z");
  CHECK(format_rfc3339(to_unix_ns(1999, 12, 31, 23, 59, 59)) == "1999-12-31T23:59:59Z");
  CHECK(format_rfc3339(to_unix_ns(2024, 3, 1, 0, 0, 0)) == "2024-03-01T00:00:00Z");
}

TEST_CASE("format_rfc3339: fractions are trimmed of trailing zeros") {
  const std::int64_t t = 1'765'349'746 * s;
  CHECK(format_rfc3339(t + 500'000'000) == "2025-12-10T06:55:46.5Z");
  CHECK(format_rfc3339(t + 123'456'789) == "2025-12-10T06:55:46.123456789Z");
  CHECK(format_rfc3339(t + 120'000'000) == "2025-12-10T06:55:46.12Z");
  CHECK(format_rfc3339(t + 123'000'000) == "2025-12-10T06:55:46.123Z");
  CHECK(format_rfc3339(t + 123'456'000) == "2025-12-10T06:55:46.123456Z");
  CHECK(format_rfc3339(t + 1) == "2025-12-10T06:55:46.000000001Z");
  CHECK(format_rfc3339(t + 10) == "2025-12-10T06:55:46.00000001Z");
  CHECK(format_rfc3339(t + 1'000) == "2025-12-10T06:55:46.000001Z");
  CHECK(format_rfc3339(t + 999'999'999) == "2025-12-10T06:55:46.999999999Z");
  CHECK(format_rfc3339(t + 1'000'000'000) == "2025-12-10T06:55:47Z");
}

TEST_CASE("format_rfc3339: instants before 1970") {
  CHECK(format_rfc3339(-1) == "1969-12-31T23:59:59.999999999Z");
  CHECK(format_rfc3339(-s) == "1969-12-31T23:59:59Z");
  CHECK(format_rfc3339(-s / 2) == "1969-12-31T23:59:59.5Z");
  CHECK(format_rfc3339(-s - s / 2) == "1969-12-31T23:59:58.5Z");
  CHECK(format_rfc3339(-ns_per_day) == "1969-12-31T00:00:00Z");
  CHECK(format_rfc3339(-ns_per_day - 1) == "1969-12-30T23:59:59.999999999Z");
  CHECK(format_rfc3339(-ns_per_day + 1) == "1969-12-31T00:00:00.000000001Z");
  CHECK(format_rfc3339(-2'208'988'800 * s) == "1900-01-01T00:00:00Z");
  CHECK(format_rfc3339(to_unix_ns(1900, 2, 28, 12, 30, 15, 250'000'000)) ==
        "1900-02-28T12:30:15.25Z");
}

TEST_CASE("format_rfc3339: the extremes of int64 nanoseconds") {
  CHECK(format_rfc3339(std::numeric_limits<std::int64_t>::max()) ==
        "2262-04-11T23:47:16.854775807Z");
  CHECK(format_rfc3339(std::numeric_limits<std::int64_t>::min()) ==
        "1677-09-21T00:12:43.145224192Z");
}

TEST_CASE("format_rfc3339 round-trips through to_unix_ns for every hour of 1999-2001") {
  std::int64_t t = to_unix_ns(1999, 1, 1, 0, 0, 0) + 7;  // a fraction that survives
  const std::int64_t end = to_unix_ns(2002, 1, 1, 0, 0, 0);
  std::uint64_t bad = 0;
  for (; t < end; t += 3600 * s + 1'000'003) {
    const std::string text = format_rfc3339(t);
    // Parse back by position: YYYY-MM-DDTHH:MM:SS.fffZ
    const auto num = [&](std::size_t at, std::size_t len) {
      return std::stoll(text.substr(at, len));
    };
    std::int64_t frac = 0;
    if (text[19] == '.') {
      const std::string digits = text.substr(20, text.size() - 21);
      frac = std::stoll(digits);
      for (std::size_t i = digits.size(); i < 9; ++i) frac *= 10;
    }
    const std::int64_t back =
        to_unix_ns(num(0, 4), static_cast<unsigned>(num(5, 2)), static_cast<unsigned>(num(8, 2)),
                   static_cast<unsigned>(num(11, 2)), static_cast<unsigned>(num(14, 2)),
                   static_cast<unsigned>(num(17, 2)), frac);
    if (back != t || text.back() != 'Z') ++bad;
  }
  CHECK(bad == 0);
}
