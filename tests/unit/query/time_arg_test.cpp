#include "runtime/query/time_arg.hpp"

#include <catch2/catch.hpp>

#include "runtime/query/alert_query.hpp"
#include "runtime/query/entity_match.hpp"
#include "runtime/util/civil_time.hpp"

using namespace seerflow;
using query::parse_duration_ns;
using query::parse_time_ns;

TEST_CASE("durations: units, sums, and refusals") {
  constexpr std::int64_t s = util::ns_per_second;
  CHECK(parse_duration_ns("90s") == 90 * s);
  CHECK(parse_duration_ns("15m") == 900 * s);
  CHECK(parse_duration_ns("1h30m") == 5400 * s);
  CHECK(parse_duration_ns("2d") == 2 * util::ns_per_day);
  CHECK(parse_duration_ns("1w") == 7 * util::ns_per_day);
  for (const char* bad :
       {"", "1", "h", "1x", "-1h", "0s", "1h ", " 1h", "1.5h", "99999999999w", "1h30", "\xff"})
    CHECK_FALSE(parse_duration_ns(bad));
}

TEST_CASE("instants: dates, times, zones, Unix seconds, and refusals") {
  const auto t = util::to_unix_ns(2026, 11, 21, 10, 0, 0);
  CHECK(parse_time_ns("2026-11-21") == util::to_unix_ns(2026, 11, 21, 0, 0, 0));
  CHECK(parse_time_ns("2026-11-21T10:00:00Z") == t);
  CHECK(parse_time_ns("2026-11-21 10:00:00") == t);
  CHECK(parse_time_ns("2026-11-21T10:00") == t);
  CHECK(parse_time_ns("2026-11-21T11:00:00+01:00") == t);
  CHECK(parse_time_ns("2026-11-21T09:30:00-0030") == t);
  CHECK(parse_time_ns("2026-11-21T10:00:00.25Z") == t + 250'000'000);
  CHECK(parse_time_ns("@1763719200") == 1'763'719'200LL * util::ns_per_second);
  for (const char* bad : {"", "2026", "2026-13-01", "2026-02-30", "2026-11-21T25:00", "21/11/2026",
                          "2026-11-21T10:00:00Q", "2026-11-21T10:00:00+1", "@", "@12a",
                          "@99999999999999", "1969-12-31", "2026-11-21T10:00:00.", "now"})
    CHECK_FALSE(parse_time_ns(bad));
}

TEST_CASE("entity arguments and ATT&CK spellings") {
  CHECK(query::split_entity_arg("ip:10.0.0.1").type == "ip");
  CHECK(query::split_entity_arg("ip:10.0.0.1").value == "10.0.0.1");
  CHECK_FALSE(query::split_entity_arg("2001:db8::1").type);  // an address, not a type prefix
  CHECK(query::split_entity_arg("2001:db8::1").value == "2001:db8::1");
  CHECK(query::split_entity_arg("user:").value.empty());
  CHECK(query::normalise_tactic("credential_access") == "credential-access");
  CHECK(query::normalise_tactic("Credential Access") == "credential-access");
  CHECK(query::normalise_tactic("attack.privilege_escalation") == "privilege-escalation");
  CHECK(query::normalise_technique("t1110.001") == "T1110.001");
  CHECK(query::normalise_technique("attack.t1078") == "T1078");
}
