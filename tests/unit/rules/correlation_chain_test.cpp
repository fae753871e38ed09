// Correlation rules that reference correlation rules: "a brute force, then a login from the same
// address". The chain fires in event time with the group carried over; a reference cycle or a
// reference to a rejected correlation is rejected with a reason, and the rest still loads.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "rules/engine/correlation.hpp"
#include "rules/engine/rule_set.hpp"

using namespace seerflow::rules;

namespace {

constexpr const char* chain_yaml = R"(
title: fail
name: fail
id: 00000000-0000-4000-8000-000000000001
logsource: {product: linux}
detection:
  sel: {outcome: failure}
  condition: sel
---
title: ok
name: ok
id: 00000000-0000-4000-8000-000000000002
logsource: {product: linux}
detection:
  sel: {outcome: success}
  condition: sel
---
title: brute
name: brute
id: 00000000-0000-4000-8000-000000000003
correlation:
  type: event_count
  rules: [fail]
  group-by: [src_ip]
  timespan: 5m
  condition: {gte: 3}
---
title: brute then login
id: 00000000-0000-4000-8000-000000000004
correlation:
  type: temporal_ordered
  rules: [brute, ok]
  group-by: [src_ip]
  timespan: 30m
)";

constexpr std::int64_t s = 1'000'000'000;

}  // namespace

TEST_CASE("a correlation of a correlation fires for the same group, in order") {
  rule_set rs;
  rs.add_yaml(chain_yaml, "chain.yml");
  rs.finalize();
  REQUIRE(rs.rejections().empty());
  REQUIRE(rs.correlations().size() == 2);
  correlation_engine eng(rs);
  field_view ev(rs.fields());
  std::vector<std::uint32_t> hits;
  match_scratch scratch;
  std::vector<correlation_result> out;
  const auto feed = [&](const char* outcome, const char* ip, std::int64_t t) {
    ev.clear();
    ev.add("outcome", outcome);
    ev.add("src_ip", ip);
    hits.clear();
    rs.evaluate(rs.all_rules(), ev, scratch, hits);
    for (auto h : hits) eng.observe(h, ev, t, out);
  };
  // A login before any brute force, and a brute force by another address: nothing chains.
  feed("success", "203.0.113.7", 0);
  for (int i = 0; i < 3; ++i) feed("failure", "198.51.100.1", (1 + i) * s);
  REQUIRE(out.size() == 1);
  CHECK(rs.correlations()[out[0].correlation].info.title == "brute");
  feed("success", "203.0.113.7", 10 * s);
  CHECK(out.size() == 1);
  // The brute force of 203.0.113.7, then its login: both fire, the chain with the address.
  for (int i = 0; i < 3; ++i) feed("failure", "203.0.113.7", (20 + i) * s);
  feed("success", "203.0.113.7", 100 * s);
  REQUIRE(out.size() == 3);
  CHECK(rs.correlations()[out[1].correlation].info.title == "brute");
  CHECK(rs.correlations()[out[2].correlation].info.title == "brute then login");
  CHECK(out[2].group_values == std::vector<std::string>{"203.0.113.7"});
  CHECK(out[2].first_ns == 22 * s);
  CHECK(out[2].last_ns == 100 * s);
}

TEST_CASE("reference cycles and references to rejected correlations are rejected") {
  rule_set rs;
  rs.add_yaml(R"(
title: base
name: base
logsource: {product: linux}
detection:
  sel: {a: b}
  condition: sel
---
title: a
name: a
correlation: {type: temporal, rules: [base, b], group-by: [x], timespan: 1m}
---
title: b
name: b
correlation: {type: temporal, rules: [base, a], group-by: [x], timespan: 1m}
---
title: self
name: self
correlation: {type: temporal, rules: [base, self], group-by: [x], timespan: 1m}
---
title: needs missing
name: c
correlation: {type: event_count, rules: [nowhere], group-by: [x], timespan: 1m, condition: {gte: 2}}
---
title: needs c
name: d
correlation: {type: temporal, rules: [base, c], group-by: [x], timespan: 1m}
---
title: fine
name: e
correlation: {type: event_count, rules: [base], group-by: [x], timespan: 1m, condition: {gte: 2}}
)",
              "cycles.yml");
  rs.finalize();
  REQUIRE(rs.correlations().size() == 1);
  CHECK(rs.correlations()[0].info.title == "fine");
  std::string reasons;
  for (const auto& r : rs.rejections()) reasons += r.reason + "\n";
  CHECK(rs.rejections().size() == 5);
  CHECK(reasons.find("references itself") != std::string::npos);
  CHECK(reasons.find("unknown rule 'nowhere'") != std::string::npos);
  CHECK(reasons.find("reference cycle") != std::string::npos);
}
