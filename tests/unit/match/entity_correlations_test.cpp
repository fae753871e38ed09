// Sigma correlation windows grouped by an entity live with that entity: the source's matcher
// hands such matches over instead of counting them, the entity's windows fire exactly as the
// matcher's own would (chained correlations included), survive a snapshot, and survive a rule
// reload only for correlations that did not change.
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "rules/match/entity_correlations.hpp"
#include "rules/match/rule_library.hpp"
#include "rules/match/sigma_matcher.hpp"
#include "runtime/parse/source_pipeline.hpp"

using namespace seerflow;

namespace {

constexpr std::int64_t sec = 1'000'000'000;

std::shared_ptr<const rules::rule_set> bundled() {
  static const auto rs = [] {
    rules::library_report report;
    return rules::load_library({}, report);
  }();
  return rs;
}

std::vector<model::event> decode(const std::vector<std::string>& lines) {
  parse::source_pipeline_options o;
  o.source = "auth";
  o.replay = true;
  o.first_year = 2026;
  parse::source_pipeline p(o, nullptr);
  model::raw_batch b;
  b.format = model::input_format::syslog;
  for (const auto& l : lines) b.records.push_back({l, 1, "test"});
  parse::pipeline_output out;
  p.process(b, out);
  return out.events;
}

std::vector<std::string> brute_force(const std::string& ip, int failures, bool then_login) {
  std::vector<std::string> lines;
  for (int i = 0; i < failures; ++i)
    lines.push_back("<38>Mar 14 10:00:" + std::string(i < 10 ? "0" : "") + std::to_string(i) +
                    " web-prod-01 sshd[4242]: Failed password for root from " + ip + " port " +
                    std::to_string(40000 + i) + " ssh2");
  if (then_login)
    lines.push_back("<38>Mar 14 10:01:30 web-prod-01 sshd[4250]: Accepted password for root from " +
                    ip + " port 41000 ssh2");
  return lines;
}

constexpr const char* counting_yaml = R"(
title: fail
name: fail
id: 10000000-0000-4000-8000-000000000001
logsource: {product: linux}
detection:
  sel: {outcome: failure}
  condition: sel
---
title: brute
name: brute
id: 10000000-0000-4000-8000-000000000002
correlation:
  type: event_count
  rules: [fail]
  group-by: [src_ip]
  timespan: %TIMESPAN%
  condition: {gte: 3}
)";

std::shared_ptr<const rules::rule_set> counting(const std::string& timespan) {
  std::string y = counting_yaml;
  y.replace(y.find("%TIMESPAN%"), 10, timespan);
  auto rs = std::make_shared<rules::rule_set>();
  rs->add_yaml(y, "brute.yml");
  rs->finalize();
  REQUIRE(rs->rejections().empty());
  return rs;
}

model::correlation_observation failure(const rules::rule_set& rs, std::int64_t t) {
  const auto& c = rs.correlations().at(0);
  model::correlation_observation o;
  o.correlation = rules::correlation_key(c);
  o.signature = rules::correlation_signature(c);
  o.rule_pos = 0;
  o.time_ns = t;
  o.seq = static_cast<std::uint64_t>(t / sec);
  o.group_values = {"198.51.100.23"};
  return o;
}

}  // namespace

TEST_CASE("entity-grouped correlation matches are routed, not counted by the matcher") {
  const auto events = decode(brute_force("198.51.100.23", 12, true));
  REQUIRE(events.size() == 13);
  rules::sigma_matcher routing(bundled()), local(bundled());
  std::vector<model::alert> routed_alerts, local_alerts;
  std::vector<rules::routed_correlation> routed;
  for (const auto& ev : events) {
    routing.match(ev, routed_alerts, &routed);
    local.match(ev, local_alerts);
  }
  // Without routing, the matcher's own windows fire the brute force and the chained login.
  std::vector<std::string> local_corr;
  for (const auto& a : local_alerts)
    if (a.kind == "correlation") local_corr.push_back(a.title);
  REQUIRE(local_corr.size() == 2);
  // With routing, nothing fires here and nothing is kept: every match went to the address.
  for (const auto& a : routed_alerts) CHECK(a.kind != "correlation");
  CHECK(routing.correlation_groups() == 0);
  REQUIRE_FALSE(routed.empty());
  for (const auto& r : routed) {
    CHECK(r.entity.type == model::entity_type::ip);
    CHECK(r.entity.value == "198.51.100.23");
    CHECK(r.observation.group_values == std::vector<std::string>{"198.51.100.23"});
    CHECK_FALSE(r.observation.entities.empty());
  }

  // The address's own windows, fed the routed matches, fire the same two correlations with the
  // same alert ids as the matcher would have.
  rules::entity_correlations mine;
  std::vector<model::alert> fired;
  for (const auto& r : routed) CHECK(mine.observe(bundled(), "auth", r.observation, fired));
  std::vector<model::alert> local_only;
  for (const auto& a : local_alerts)
    if (a.kind == "correlation") local_only.push_back(a);
  REQUIRE(fired.size() == local_only.size());
  for (std::size_t i = 0; i < fired.size(); ++i) {
    CHECK(fired[i].id == local_only[i].id);
    CHECK(fired[i].title == local_only[i].title);
    CHECK(fired[i].dedup_key == local_only[i].dedup_key);
    CHECK(fired[i].details_json == local_only[i].details_json);
    CHECK(fired[i].time_ns == local_only[i].time_ns);
    CHECK(fired[i].event_seqs == local_only[i].event_seqs);
  }
}

TEST_CASE("an entity's correlation windows survive a snapshot") {
  const auto rs = counting("5m");
  rules::entity_correlations a;
  std::vector<model::alert> out;
  CHECK(a.observe(rs, "auth", failure(*rs, 1 * sec), out));
  CHECK(a.observe(rs, "auth", failure(*rs, 2 * sec), out));
  CHECK(out.empty());
  CHECK(a.groups() == 1);
  const auto snap = a.snapshot();
  REQUIRE_FALSE(snap.empty());

  rules::entity_correlations b;
  REQUIRE(b.restore(rs, snap));
  CHECK(b.observe(rs, "auth", failure(*rs, 3 * sec), out));
  REQUIRE(out.size() == 1);  // 2 restored + 1: a fresh window would need two more
  CHECK(out[0].kind == "correlation");
  CHECK(out[0].title == "brute");

  // Restored before any rule set is known (Sigma loads after the actor revives): kept, then
  // applied with the first observation.
  rules::entity_correlations c;
  REQUIRE(c.restore(nullptr, snap));
  CHECK_FALSE(c.empty());
  out.clear();
  CHECK(c.observe(rs, "auth", failure(*rs, 3 * sec), out));
  CHECK(out.size() == 1);

  // Hostile snapshots are refused without a crash.
  rules::entity_correlations d;
  CHECK_FALSE(d.restore(rs, snap.substr(0, snap.size() / 2)));
  CHECK_FALSE(d.restore(rs, std::string(64, '\xff')));
  CHECK_FALSE(d.restore(rs, snap + "x"));
}

TEST_CASE("a rule reload keeps the windows of unchanged correlations only") {
  const auto before = counting("5m");
  rules::entity_correlations a;
  std::vector<model::alert> out;
  a.observe(before, "auth", failure(*before, 1 * sec), out);
  a.observe(before, "auth", failure(*before, 2 * sec), out);

  // The same rules loaded again (a reload that changed another file): the count goes on.
  const auto same = counting("5m");
  CHECK(a.observe(same, "auth", failure(*same, 3 * sec), out));
  CHECK(out.size() == 1);

  // A changed timespan is a different correlation: its window starts over, and a match routed
  // under the old shape is ignored, not miscounted.
  out.clear();
  a.observe(same, "auth", failure(*same, 4 * sec), out);
  a.observe(same, "auth", failure(*same, 5 * sec), out);
  const auto changed = counting("10m");
  CHECK_FALSE(a.observe(changed, "auth", failure(*same, 6 * sec), out));
  CHECK(a.observe(changed, "auth", failure(*changed, 6 * sec), out));
  CHECK(out.empty());
  CHECK(a.observe(changed, "auth", failure(*changed, 7 * sec), out));
  CHECK(a.observe(changed, "auth", failure(*changed, 8 * sec), out));
  CHECK(out.size() == 1);
}

TEST_CASE("the matcher keeps its own windows across a reload of unchanged rules") {
  // Groups that name no entity stay in the matcher: here a group-by field no event carries.
  auto make = [] {
    auto rs = std::make_shared<rules::rule_set>();
    rs->add_yaml(R"(
title: cron job
name: cronjob
id: 20000000-0000-4000-8000-000000000001
logsource: {product: linux, service: cron}
detection:
  sel: {message|contains: 'CMD'}
  condition: sel
---
title: many cron jobs
id: 20000000-0000-4000-8000-000000000002
correlation:
  type: event_count
  rules: [cronjob]
  group-by: [no_such_field]
  timespan: 10m
  condition: {gte: 3}
)",
                 "cron.yml");
    rs->finalize();
    return rs;
  };
  const auto events = decode({
      "<78>Mar 14 10:00:01 app-1 CRON[100]: (root) CMD (/usr/lib/php/sessionclean)",
      "<78>Mar 14 10:00:02 app-1 CRON[101]: (root) CMD (/usr/lib/php/sessionclean)",
      "<78>Mar 14 10:00:03 app-1 CRON[102]: (root) CMD (/usr/lib/php/sessionclean)",
  });
  REQUIRE(events.size() == 3);
  auto first = std::make_unique<rules::sigma_matcher>(make());
  std::vector<model::alert> out;
  std::vector<rules::routed_correlation> routed;
  first->match(events[0], out, &routed);
  first->match(events[1], out, &routed);
  REQUIRE(first->last_hits().size() == 1);
  CHECK(routed.empty());
  CHECK(first->correlation_groups() == 1);
  auto second = std::make_unique<rules::sigma_matcher>(make());
  CHECK(second->adopt(std::move(*first)) == 1);
  first.reset();
  second->match(events[2], out, &routed);
  std::size_t fired = 0;
  for (const auto& a : out) fired += a.kind == "correlation";
  CHECK(fired == 1);
}
