// Rate-limited warnings for per-record trouble.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runtime/net/warning_throttle.hpp"

using namespace seerflow;

namespace {
constexpr std::int64_t sec = 1'000'000'000;
}

TEST_CASE("at most one warning per reason per interval, carrying the count") {
  std::vector<std::string> lines;
  net::warning_throttle w("syslog tcp 'edge'", std::chrono::seconds(10),
                          [&](const std::string& l) { lines.push_back(l); });
  w.note("records rejected", "oversized", 1, "record of 70000 bytes", 100 * sec);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] ==
        "syslog tcp 'edge': 1 records rejected (oversized); latest: record of 70000 bytes");
  for (int i = 0; i < 5; ++i) w.note("records rejected", "oversized", 1, "later", 101 * sec + i);
  w.note("records rejected", "bad_frame", 1, "octet count", 102 * sec);  // its own reason
  w.note("records dropped", "oversized", 3, "same reason, other kind", 102 * sec);
  REQUIRE(lines.size() == 3);
  w.note("records rejected", "oversized", 1, "the seventh", 110 * sec);
  REQUIRE(lines.size() == 4);
  CHECK(
      lines[3] ==
      "syslog tcp 'edge': 6 records rejected (oversized) in the last 10.0 s; latest: the seventh");
  w.note("records rejected", "oversized", 2, "tail", 111 * sec);
  w.flush(112 * sec);
  REQUIRE(lines.size() == 5);
  CHECK(lines[4] ==
        "syslog tcp 'edge': 2 records rejected (oversized) in the last 2.0 s; latest: tail");
  w.flush(113 * sec);  // nothing left to report
  CHECK(lines.size() == 5);
}
