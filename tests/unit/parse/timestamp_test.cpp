#include "runtime/parse/timestamp.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <utility>

#include "runtime/util/civil_time.hpp"

using seerflow::parse::parse_leading_timestamp;
using seerflow::parse::parse_rfc3339;
using seerflow::parse::parse_syslog_timestamp;
using seerflow::parse::parse_zone_spec;
using seerflow::parse::time_context;
using seerflow::util::format_rfc3339;
using seerflow::util::to_unix_ns;

namespace {

using result = std::pair<std::size_t, std::string>;

// (bytes consumed, instant as RFC 3339) or (0, "") when nothing was recognised.
result lead(std::string_view s, const time_context& ctx = {}) {
  std::int64_t ns = -1;
  const std::size_t n = parse_leading_timestamp(s, ctx, ns);
  if (n == 0) {
    CHECK(ns == -1);  // out_ns is written only on success
    return {0, ""};
  }
  return {n, format_rfc3339(ns)};
}

result syslog_ts(std::string_view s, const time_context& ctx = {}) {
  std::int64_t ns = -1;
  const std::size_t n = parse_syslog_timestamp(s, ctx, ns);
  return n == 0 ? result{0, ""} : result{n, format_rfc3339(ns)};
}

std::string rfc3339(std::string_view s) {
  std::int64_t ns = 0;
  return parse_rfc3339(s, ns) ? format_rfc3339(ns) : "rejected";
}

time_context near(std::int64_t y, unsigned m, unsigned d, unsigned h = 0, unsigned mi = 0,
                  unsigned s = 0) {
  time_context ctx;
  ctx.reference_ns = to_unix_ns(y, m, d, h, mi, s);
  return ctx;
}

}  // namespace

TEST_CASE("ISO 8601 and log4j stamps with every separator, fraction and zone form") {
  CHECK(lead("2015-10-18 18:01:47,978 INFO [main]") == result{23, "2015-10-18T18:01:47.978Z"});
  CHECK(lead("2015-10-18T18:01:47.978+02:00 x") == result{29, "2015-10-18T16:01:47.978Z"});
  CHECK(lead("2015-10-18T18:01:47Z") == result{20, "2015-10-18T18:01:47Z"});
  CHECK(lead("2015-10-18t18:01:47z") == result{20, "2015-10-18T18:01:47Z"});
  CHECK(lead("2015-10-18T18:01:47.123456789-0530 y") ==
        result{34, "2015-10-18T23:31:47.123456789Z"});
  CHECK(lead("2015-10-18T18:01:47+05") == result{22, "2015-10-18T13:01:47Z"});
  CHECK(lead("2015-10-18T18:01:47.5") == result{21, "2015-10-18T18:01:47.5Z"});
  CHECK(lead("2023-01-01 10:00:00.123 UTC [12] LOG:") == result{27, "2023-01-01T10:00:00.123Z"});
  CHECK(lead("2023-01-01 10:00:00 GMT") == result{23, "2023-01-01T10:00:00Z"});
  CHECK(lead("2015-07-29 17:41:44,747 - INFO") == result{23, "2015-07-29T17:41:44.747Z"});
  CHECK(lead("[2015-10-18 18:01:47,978] x") == result{25, "2015-10-18T18:01:47.978Z"});
  // A dash that does not start an offset ends the stamp.
  CHECK(lead("2015-10-18 18:01:47-foo") == result{19, "2015-10-18T18:01:47Z"});
  CHECK(lead("2016-02-29 00:00:00") == result{19, "2016-02-29T00:00:00Z"});
  CHECK(lead("2015-10-18T18:01:47.978") == result{23, "2015-10-18T18:01:47.978Z"});
}

TEST_CASE("ISO stamps with an invalid field are not stamps") {
  for (const char* s : {
           "2015-13-01 00:00:00",
           "2015-00-01 00:00:00",
           "2015-02-29 00:00:00",
           "2015-04-31 00:00:00",
           "2015-10-00 00:00:00",
           "2015-10-18 24:00:00",
           "2015-10-18 23:60:00",
           "2015-10-18 23:59:60",
           "2015-10-18",
           "2015-10-18 18:01",
           "2015-10-18T18:01:47+0",
           "2015-10-18T18:01:47+24:00",
           "2015-10-18T18:01:47+05:60",
           "2015-10-18T18:01:47abc",
           "2015-10-18T18:01:479",
           "2015-10-18T18:01:47.1234567890Z",
           "2015-10-18X18:01:47",
           "2015-1-18 18:01:47",
           "[2015-10-18 18:01:47",
           "[2015-10-18 18:01:47 x]",
           "0000-01-01 00:00:00",
           "9999-12-31 23:59:59",
       }) {
    INFO(s);
    CHECK(lead(s) == result{0, ""});
  }
}

TEST_CASE("RFC 3164 stamps with padding, year, fraction, and invalid fields") {
  const auto ctx = near(2017, 12, 1);
  CHECK(lead("Dec 10 06:55:46 LabSZ sshd[24200]:", ctx) == result{15, "2017-12-10T06:55:46Z"});
  CHECK(lead("Jun  4 10:00:00 host", ctx) == result{15, "2017-06-04T10:00:00Z"});
  CHECK(lead("Jun 4 10:00:00 host", ctx) == result{14, "2017-06-04T10:00:00Z"});
  CHECK(lead("Dec 10 2005 06:55:46 host", ctx) == result{20, "2005-12-10T06:55:46Z"});
  CHECK(lead("Mar  1 18:46:11.123: %LINK", ctx) == result{19, "2018-03-01T18:46:11.123Z"});
  CHECK(lead("DEC 10 06:55:46", ctx) == result{15, "2017-12-10T06:55:46Z"});
  for (const char* s : {"Dec 32 06:55:46", "Feb 30 00:00:00", "Apr 31 00:00:00", "Dez 10 06:55:46",
                        "Dec 10 6:55:46", "Dec 10 06:55", "Dec 0 06:55:46", "Dec 100 06:55:46",
                        "Dec10 06:55:46", "December 10 06:55:46", "Dec 10 06:55:46x"}) {
    INFO(s);
    CHECK(lead(s, ctx) == result{0, ""});
  }
}

TEST_CASE("a year-less stamp takes the year nearest to the reference, across New Year") {
  CHECK(lead("Dec 31 23:59:59", near(2024, 1, 1, 0, 0, 10)).second == "2023-12-31T23:59:59Z");
  CHECK(lead("Jan  1 00:00:05", near(2023, 12, 31, 23, 59)).second == "2024-01-01T00:00:05Z");
  CHECK(lead("Jul  1 00:00:00", near(2023, 12, 30)).second == "2023-07-01T00:00:00Z");
  CHECK(lead("Jun  1 00:00:00", near(2024, 1, 2)).second == "2024-06-01T00:00:00Z");
  // Exactly half a year either way: the past wins.
  CHECK(lead("Jul  1 00:00:00", near(2023, 12, 31)).second == "2023-07-01T00:00:00Z");
  // Feb 29 needs a leap year: the nearest one, even two years away.
  CHECK(lead("Feb 29 12:00:00", near(2024, 3, 1)).second == "2024-02-29T12:00:00Z");
  CHECK(lead("Feb 29 12:00:00", near(2025, 6, 1)).second == "2024-02-29T12:00:00Z");
  CHECK(lead("Feb 29 12:00:00", near(2027, 6, 1)).second == "2028-02-29T12:00:00Z");
  CHECK(lead("Feb 29 12:00:00", near(2022, 6, 1)).second == "2024-02-29T12:00:00Z");
  // The reference is compared in the stamp's zone: at 23:30 UTC on Dec 31, a +02:00 clock
  // already shows Jan 1.
  time_context ctx = near(2023, 12, 31, 23, 30);
  ctx.utc_offset_s = 7200;
  CHECK(lead("Jan  1 01:31:00", ctx).second == "2023-12-31T23:31:00Z");
}

TEST_CASE("a fixed year is taken outright, at both ends of the year") {
  // With the replay's mid-year reference alone, Dec 31 after noon of a common year went to the
  // year before (182.5 days back is nearer than 182.5+ days ahead).
  time_context ctx = near(1999, 7, 2);
  CHECK(lead("Dec 31 23:59:58", ctx).second == "1998-12-31T23:59:58Z");
  ctx.fixed_year = 1999;
  CHECK(lead("Dec 31 23:59:58", ctx).second == "1999-12-31T23:59:58Z");
  CHECK(lead("Jan  1 00:00:00", ctx).second == "1999-01-01T00:00:00Z");
  CHECK(syslog_ts("Dec 31 12:00:01 host", ctx).second == "1999-12-31T12:00:01Z");
  // Feb 29 of a common year does not exist: the nearest leap year, as without a fixed year.
  CHECK(lead("Feb 29 12:00:00", ctx).second == "2000-02-29T12:00:00Z");
  // The zone still applies: 23:30 at +02:00 on Dec 31 is 21:30 UTC the same day.
  ctx.utc_offset_s = 7200;
  CHECK(lead("Dec 31 23:30:00", ctx).second == "1999-12-31T21:30:00Z");
  // A stamp with its own year ignores the fixed one.
  CHECK(lead("2024-03-01T10:00:00Z", ctx).second == "2024-03-01T10:00:00Z");
}

TEST_CASE("ctime / Apache error log stamps") {
  const auto ctx = near(2005, 12, 1);
  CHECK(lead("[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok", ctx) ==
        result{26, "2005-12-04T04:47:44Z"});
  CHECK(lead("Sun Dec  4 04:47:44 2005", ctx) == result{24, "2005-12-04T04:47:44Z"});
  CHECK(lead("[Sun Dec 04 04:47:44.123456 2005] x", ctx) ==
        result{33, "2005-12-04T04:47:44.123456Z"});
  CHECK(lead("Sun Dec 04 04:47:44 x", ctx) == result{19, "2005-12-04T04:47:44Z"});
  CHECK(lead("Sun Dec 32 04:47:44 2005", ctx) == result{0, ""});
  CHECK(lead("Sunday Dec 04 04:47:44 2005", ctx) == result{0, ""});
  CHECK(lead("Xyz Dec 04 04:47:44 2005", ctx) == result{0, ""});
}

TEST_CASE("Common Log Format stamps") {
  CHECK(lead("10/Oct/2000:13:55:36 -0700 \"GET /") == result{26, "2000-10-10T20:55:36Z"});
  CHECK(lead("[10/Oct/2000:13:55:36 +0000] \"GET /") == result{28, "2000-10-10T13:55:36Z"});
  CHECK(lead("10/Oct/2000:13:55:36 rest") == result{20, "2000-10-10T13:55:36Z"});
  CHECK(lead("31/Sep/2000:13:55:36 -0700") == result{0, ""});
  CHECK(lead("10/Oct/2000:25:55:36 -0700") == result{0, ""});
}

TEST_CASE("slashed and compact application stamps (Spark, Go, HDFS, HealthApp)") {
  CHECK(lead("17/06/09 20:10:40 INFO executor") == result{17, "2017-06-09T20:10:40Z"});
  CHECK(lead("99/06/09 20:10:40 x") == result{17, "1999-06-09T20:10:40Z"});
  CHECK(lead("2009/11/10 23:00:00 hello") == result{19, "2009-11-10T23:00:00Z"});
  CHECK(lead("2009/11/10 23:00:00.123456 [error]") == result{26, "2009-11-10T23:00:00.123456Z"});
  CHECK(lead("081109 203615 148 INFO dfs.DataNode") == result{13, "2008-11-09T20:36:15Z"});
  CHECK(lead("20171223-22:15:29:606|Step_LSC|30002312|") == result{21, "2017-12-23T22:15:29.606Z"});
  // HealthApp writes the millisecond count unpadded: ":11" is 11 ms.
  CHECK(lead("20171223-22:15:35:11|Step_SPUtils") == result{20, "2017-12-23T22:15:35.011Z"});
  CHECK(lead("20171223-22:15:35:1|x") == result{19, "2017-12-23T22:15:35.001Z"});
  CHECK(lead("20171223-22:15:35|x") == result{17, "2017-12-23T22:15:35Z"});
  CHECK(lead("20171223-22:16:0:119|Step_LSC") == result{20, "2017-12-23T22:16:00.119Z"});
  CHECK(lead("20171224-0:1:2:3|x") == result{16, "2017-12-24T00:01:02.003Z"});
  for (const char* s :
       {"17/13/09 20:10:40", "17/06/31 20:10:40", "081309 203615 x", "081109 246015 x",
        "123456 654321 x", "081109 2036151", "081109 20361", "20171323-22:15:29:606",
        "20171223-22:15:29:6060", "20171223 foo", "2009/11/10 23:00", "17/06/09T20:10:40"}) {
    INFO(s);
    CHECK(lead(s) == result{0, ""});
  }
}

TEST_CASE("epoch numbers by digit count, only inside 2000..2100") {
  CHECK(lead("1514038530 msg") == result{10, "2017-12-23T14:15:30Z"});
  CHECK(lead("1514038530.25 msg") == result{13, "2017-12-23T14:15:30.25Z"});
  CHECK(lead("1514038530123|x") == result{13, "2017-12-23T14:15:30.123Z"});
  CHECK(lead("1514038530123456,x") == result{16, "2017-12-23T14:15:30.123456Z"});
  CHECK(lead("1514038530123456789") == result{19, "2017-12-23T14:15:30.123456789Z"});
  CHECK(lead("[1514038530] x") == result{12, "2017-12-23T14:15:30Z"});
  for (const char* s : {"0123456789 x", "9999999999 x", "4102444800 x", "12345678901 x",
                        "151403853012 x", "1514038530abc", "1514038530_0020", "1514038530.1.2",
                        "1514038530:80", "1514038530.1234567890 x", "99999999999999999999 x"}) {
    INFO(s);
    CHECK(lead(s) == result{0, ""});
  }
}

TEST_CASE("version numbers, addresses, ids and counters are not stamps") {
  for (const char* s : {"1.2.3 release",
                        "2.0 started",
                        "10.0.0.1 - - [10/Oct/2000]",
                        "12345 foo",
                        "v2015-10-18 18:01:47",
                        "4.19.0-21-amd64 kernel",
                        "2015 was a year",
                        "20:10:40 only a time",
                        "1999-2005 copyright",
                        "192.168.1.1:8080",
                        "blk_38865049064139660",
                        "0x7fff5fbff8ac",
                        "550e8400-e29b-41d4-a716-446655440000",
                        "-1514038530",
                        "",
                        "[",
                        "[]",
                        "Mon",
                        "Dec",
                        "Dec 10",
                        "Sun Dec"}) {
    INFO(s);
    CHECK(lead(s) == result{0, ""});
  }
}

TEST_CASE("zone-less stamps use the configured offset") {
  time_context ctx;
  ctx.utc_offset_s = -8 * 3600;
  CHECK(lead("2015-10-18 18:01:47", ctx).second == "2015-10-19T02:01:47Z");
  CHECK(lead("2015-10-18 18:01:47Z", ctx).second == "2015-10-18T18:01:47Z");
  CHECK(lead("2015-10-18 18:01:47+01:00", ctx).second == "2015-10-18T17:01:47Z");
  CHECK(lead("081109 203615 x", ctx).second == "2008-11-10T04:36:15Z");
  ctx.reference_ns = to_unix_ns(2017, 12, 1, 0, 0, 0);
  CHECK(lead("Dec 10 06:55:46", ctx).second == "2017-12-10T14:55:46Z");
}

TEST_CASE("the local zone follows daylight saving time") {
  // A POSIX TZ rule needs no zoneinfo files: US Eastern, DST from the 2nd Sunday of March to
  // the 1st Sunday of November. Every local-zone case of this executable uses this zone.
  ::setenv("TZ", "EST5EDT,M3.2.0,M11.1.0", 1);
  ::tzset();
  time_context ctx;
  REQUIRE(parse_zone_spec("local", ctx));
  CHECK(lead("2021-07-01 12:00:00", ctx).second == "2021-07-01T16:00:00Z");
  CHECK(lead("2021-01-01 12:00:00", ctx).second == "2021-01-01T17:00:00Z");
  CHECK(lead("2021-03-14 03:30:00", ctx).second == "2021-03-14T07:30:00Z");
  CHECK(lead("2021-03-14 01:30:00", ctx).second == "2021-03-14T06:30:00Z");
  CHECK(lead("2021-11-07 12:00:00", ctx).second == "2021-11-07T17:00:00Z");
  CHECK(lead("2021-07-01 12:00:00+00:00", ctx).second == "2021-07-01T12:00:00Z");
  ctx.reference_ns = to_unix_ns(2021, 6, 30, 0, 0, 0);
  CHECK(lead("Jul  1 12:00:00", ctx).second == "2021-07-01T16:00:00Z");
  CHECK(lead("Dec 24 12:00:00", ctx).second == "2021-12-24T17:00:00Z");
  CHECK(lead("Jan  2 12:00:00", ctx).second == "2021-01-02T17:00:00Z");
}

TEST_CASE("syslog header stamps: RFC 3164 and ISO with T only") {
  const auto ctx = near(2019, 3, 1);
  CHECK(syslog_ts("Mar  1 10:00:00 host", ctx) == result{15, "2019-03-01T10:00:00Z"});
  CHECK(syslog_ts("2019-03-01T10:00:00.123456+01:00 host", ctx) ==
        result{32, "2019-03-01T09:00:00.123456Z"});
  CHECK(syslog_ts("2019-03-01T10:00:00 host", ctx) == result{19, "2019-03-01T10:00:00Z"});
  CHECK(syslog_ts("2019-03-01 10:00:00 host", ctx) == result{0, ""});
  CHECK(syslog_ts("081109 203615 148 INFO", ctx) == result{0, ""});
  CHECK(syslog_ts("[Sun Dec 04 04:47:44 2005]", ctx) == result{0, ""});
  CHECK(syslog_ts("1514038530 x", ctx) == result{0, ""});
}

TEST_CASE("RFC 3339: the examples of section 5.8 and strict rejections") {
  CHECK(rfc3339("1985-04-12T23:20:50.52Z") == "1985-04-12T23:20:50.52Z");
  std::int64_t ns = 0;
  REQUIRE(parse_rfc3339("1985-04-12T23:20:50.52Z", ns));
  CHECK(ns == 482196050520000000);
  CHECK(rfc3339("1996-12-19T16:39:57-08:00") == "1996-12-20T00:39:57Z");
  // Leap seconds are read as the first second of the next minute.
  CHECK(rfc3339("1990-12-31T23:59:60Z") == "1991-01-01T00:00:00Z");
  CHECK(rfc3339("1990-12-31T15:59:60-08:00") == "1991-01-01T00:00:00Z");
  CHECK(rfc3339("1937-01-01T12:00:27.87+00:20") == "1937-01-01T11:40:27.87Z");
  CHECK(rfc3339("1985-04-12t23:20:50.52z") == "1985-04-12T23:20:50.52Z");
  CHECK(rfc3339("2003-08-24T05:14:15.000003-07:00") == "2003-08-24T12:14:15.000003Z");
  for (const char* s :
       {"1985-04-12 23:20:50Z", "1985-04-12T23:20:50", "1985-04-12T23:20:50.Z",
        "1985-04-12T23:20:50+0800", "1985-04-12T23:20:50+08", "1985-04-12T23:20:50Zx",
        "1985-4-12T23:20:50Z", "0000-01-01T00:00:00Z", "1985-04-12T23:20:61Z",
        "1985-02-29T00:00:00Z", "1985-04-12T23:20:50.1234567890Z", " 1985-04-12T23:20:50Z",
        "1985-04-12T23:20:50Z ", "", "-", "1985-04-12T23:20:50+24:00"}) {
    INFO(s);
    CHECK(rfc3339(s) == "rejected");
  }
}

TEST_CASE("zone specifications") {
  time_context ctx;
  CHECK(parse_zone_spec("+05:30", ctx));
  CHECK(ctx.utc_offset_s == 19800);
  CHECK_FALSE(ctx.local_zone);
  CHECK(parse_zone_spec("-0800", ctx));
  CHECK(ctx.utc_offset_s == -28800);
  CHECK(parse_zone_spec("+05", ctx));
  CHECK(ctx.utc_offset_s == 18000);
  CHECK(parse_zone_spec("local", ctx));
  CHECK(ctx.local_zone);
  CHECK(ctx.utc_offset_s == 0);
  for (const char* s : {"UTC", "utc", "Z", "GMT"}) {
    ctx.utc_offset_s = 99;
    ctx.local_zone = true;
    CHECK(parse_zone_spec(s, ctx));
    CHECK(ctx.utc_offset_s == 0);
    CHECK_FALSE(ctx.local_zone);
  }
  ctx.utc_offset_s = 123;
  ctx.reference_ns = 77;
  for (const char* s : {"", "+24:00", "EST", "+5:30", "05:30", "+05:3", "+05:30 ", "UTC+1",
                        "localtime", "+05:60"}) {
    INFO(s);
    CHECK_FALSE(parse_zone_spec(s, ctx));
    CHECK(ctx.utc_offset_s == 123);  // unchanged on failure
  }
  CHECK(ctx.reference_ns == 77);
}

TEST_CASE("randomized input never crashes and never reads past the string") {
  std::mt19937_64 rng(20240601);
  const std::string seeds[] = {
      "2015-10-18T18:01:47.978+02:00", "Dec 10 06:55:46", "[Sun Dec 04 04:47:44 2005]",
      "10/Oct/2000:13:55:36 -0700",    "081109 203615",   "17/06/09 20:10:40",
      "20171223-22:15:29:606",         "1514038530123",   "2009/11/10 23:00:00.5"};
  const time_context ctx = near(2020, 1, 1);
  std::size_t recognised = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s = seeds[rng() % std::size(seeds)];
    const int mutations = static_cast<int>(rng() % 4);
    for (int m = 0; m < mutations; ++m) {
      const std::size_t pos = rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0:
          if (pos < s.size()) s[pos] = static_cast<char>(rng());
          break;
        case 1:
          s.insert(pos, 1, static_cast<char>(rng()));
          break;
        case 2:
          if (pos < s.size()) s.erase(pos, 1);
          break;
        case 3:
          s.resize(pos);
          break;
      }
    }
    if (iter % 5 == 0) {
      s.resize(rng() % 40);
      for (auto& c : s) c = static_cast<char>(rng());
    }
    // A copy in a buffer of exactly its size, so reading past the end is caught under ASan.
    const std::unique_ptr<char[]> buf(new char[s.size() + 1]);
    std::copy(s.begin(), s.end(), buf.get());
    std::int64_t ns = 0;
    const std::size_t n = parse_leading_timestamp(std::string_view(buf.get(), s.size()), ctx, ns);
    REQUIRE(n <= s.size());
    if (n > 0) {
      ++recognised;
      // Every instant we produce can be printed back and lies in the years we support.
      const std::string text = format_rfc3339(ns);
      CHECK(text.size() >= 20);
    }
  }
  CHECK(recognised > 2000);  // unmutated seeds alone are ~1/4 of 80% of iterations
}
