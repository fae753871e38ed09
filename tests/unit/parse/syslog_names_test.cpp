#include "runtime/parse/syslog_names.hpp"

#include <catch2/catch.hpp>
#include <string>

using seerflow::parse::facility_from_text;
using seerflow::parse::facility_name;
using seerflow::parse::severity_from_text;
using seerflow::parse::severity_name;

TEST_CASE("facility names are the RFC 5424 / syslog.conf keywords") {
  const char* const expected[] = {"kern",   "user",   "mail",   "daemon", "auth",     "syslog",
                                  "lpr",    "news",   "uucp",   "cron",   "authpriv", "ftp",
                                  "ntp",    "audit",  "alert",  "clock",  "local0",   "local1",
                                  "local2", "local3", "local4", "local5", "local6",   "local7"};
  for (int f = 0; f < 24; ++f) {
    CHECK(facility_name(f) == expected[f]);
    CHECK(facility_from_text(expected[f]) == f);
  }
  CHECK(facility_name(-1).empty());
  CHECK(facility_name(24).empty());
  CHECK(facility_from_text("LOCAL7") == 23);
  CHECK(facility_from_text("local8") == -1);
  CHECK(facility_from_text("") == -1);
}

TEST_CASE("severity names and level words") {
  const char* const expected[] = {"emerg",   "alert",  "crit", "err",
                                  "warning", "notice", "info", "debug"};
  for (int s = 0; s < 8; ++s) {
    CHECK(severity_name(s) == expected[s]);
    CHECK(severity_from_text(expected[s]) == s);
  }
  CHECK(severity_name(-1).empty());
  CHECK(severity_name(8).empty());
  const std::pair<const char*, int> words[] = {
      {"EMERGENCY", 0}, {"panic", 0}, {"Alert", 1},  {"CRITICAL", 2},    {"fatal", 2},
      {"FTL", 2},       {"ERROR", 3}, {"Severe", 3}, {"WARN", 4},        {"wrn", 4},
      {"NOTICE", 5},    {"INFO", 6},  {"inf", 6},    {"Information", 6}, {"informational", 6},
      {"DEBUG", 7},     {"dbg", 7},   {"TRACE", 7},  {"verbose", 7},     {"VRB", 7}};
  for (const auto& [w, s] : words) {
    INFO(w);
    CHECK(severity_from_text(w) == s);
  }
  for (const char* w : {"", "infos", "warnings", "e", "3", "error ", " error", "fatality"}) {
    INFO(w);
    CHECK(severity_from_text(w) == -1);
  }
}
