// alerts.sinks, alerts.dedup_overrides and alerts.dedup_keys: read with ${ENV}, defaults filled
// in, every mistake reported with its position and key path; and the sink leaves added to the
// supervision tree before boot.
#include <catch2/catch.hpp>

#include "runtime/config/sink_tree.hpp"
#include "runtime/config/to_yaml.hpp"
#include "tests/unit/config/config_test_support.hpp"

using namespace seerflow::config;
using seerflow::config::test::env_of;
using seerflow::config::test::error_lines;
using seerflow::config::test::load;
using lines = std::vector<std::string>;

TEST_CASE("no sinks by default") {
  const auto r = load("");
  CHECK(r.value.alerts.sinks.empty());
  CHECK(r.value.alerts.dedup_overrides.empty());
}

TEST_CASE("sinks are read with defaults and ${ENV}") {
  const auto r = load(R"(alerts:
  sinks:
    - type: slack
      url: ${SLACK_URL}
      min_severity: high
      tactics: [credential-access, lateral-movement]
    - name: siem
      type: webhook
      url: http://127.0.0.1:8080/in
      secret: ${HOOK_SECRET}
      timeout: 2s
      max_retries: 3
      backoff_initial: 50ms
      backoff_max: 1s
    - type: pagerduty
      routing_key: abc123
      kinds: [kill_chain]
)",
                      env_of({{"HOME", "/h"},
                              {"SLACK_URL", "https://hooks.slack.com/services/T/B/X"},
                              {"HOOK_SECRET", "s3cret"}}));
  REQUIRE(error_lines(r).empty());
  const auto& s = r.value.alerts.sinks;
  REQUIRE(s.size() == 3);
  CHECK(s[0].name == "slack");
  CHECK(s[0].url == "https://hooks.slack.com/services/T/B/X");
  CHECK(s[0].min_severity == "high");
  CHECK(s[0].tactics == lines{"credential-access", "lateral-movement"});
  CHECK(s[0].max_retries == 8);
  CHECK(s[0].where.line == 3);
  CHECK(s[1].name == "siem");
  CHECK(s[1].secret == "s3cret");
  CHECK(s[1].timeout_ms == 2000);
  CHECK(s[1].max_retries == 3);
  CHECK(s[1].backoff_initial_ms == 50);
  CHECK(s[1].backoff_max_ms == 1000);
  CHECK(s[2].url == "https://events.pagerduty.com/v2/enqueue");
  CHECK(s[2].routing_key == "abc123");
  CHECK(s[2].kinds == lines{"kill_chain"});
}

TEST_CASE("every sink mistake is reported with its key path") {
  const auto r = load(R"(alerts:
  sinks:
    - type: carrier-pigeon
      url: http://x/
    - type: slack
    - type: webhook
      url: ftp://x/
      colour: blue
    - type: pagerduty
    - type: teams
      url: http://x/
      min_severity: urgent
      timeout: 5ms
      max_retries: -1
      kinds: sigma
    - url: http://x/
    - type: slack
      url: http://x/
    - type: slack
      url: http://y/
    - just text
)");
  const auto e = error_lines(r);
  auto has = [&](const std::string& part) {
    for (const auto& l : e)
      if (l.find(part) != std::string::npos) return true;
    return false;
  };
  INFO(::Catch::Detail::stringify(e));
  CHECK(has("alerts.sinks[0].type: expected one of slack|teams|webhook|pagerduty"));
  CHECK(has("alerts.sinks[1].url: a slack sink needs a url"));
  CHECK(has("alerts.sinks[2].url: expected an http:// or https:// URL"));
  CHECK(has("alerts.sinks[2].colour: unknown key"));
  CHECK(has("alerts.sinks[3].routing_key: a pagerduty sink needs a routing_key"));
  CHECK(has("alerts.sinks[4].min_severity: expected one of low|medium|high|critical"));
  CHECK(has("alerts.sinks[4].timeout: expected a duration of 100ms..10m"));
  CHECK(has("alerts.sinks[4].max_retries: expected an integer 0..1000"));
  CHECK(has("alerts.sinks[4].kinds: expected a list"));
  CHECK(has("alerts.sinks[5].type: every sink needs a type"));
  CHECK(has("alerts.sinks[7].name: two sinks are named 'slack'"));
  CHECK(has("alerts.sinks[8]: expected a mapping"));
  CHECK(r.value.alerts.sinks.empty());  // a broken list is not half-applied
}

TEST_CASE("sinks must be a sequence; an unset ${VAR} is an error") {
  CHECK(error_lines(load("alerts:\n  sinks: slack\n")).size() == 1);
  const auto r = load("alerts:\n  sinks:\n    - type: slack\n      url: ${NOPE}\n");
  REQUIRE(error_lines(r).size() >= 1);
  CHECK(error_lines(r)[0].find("NOPE") != std::string::npos);
}

TEST_CASE("dedup overrides and keys are checked") {
  const auto ok = load(
      "alerts:\n  dedup_overrides: [ssh-brute=1h, 'a=b=0']\n  dedup_keys: [risk=entity, "
      "graph=rule+source]\n");
  CHECK(error_lines(ok).empty());
  CHECK(ok.value.alerts.dedup_overrides == lines{"ssh-brute=1h", "a=b=0"});
  const auto bad = load(
      "alerts:\n  dedup_overrides: [ssh-brute, =1h, x=soon, y=400d]\n  dedup_keys: [risk, "
      "risk=colour, =rule]\n");
  CHECK(error_lines(bad).size() == 7);
}

TEST_CASE("config show prints sinks without their secrets") {
  const auto r = load(
      "alerts:\n  sinks:\n    - {type: webhook, url: 'http://x/', secret: hunter2}\n    - {type: "
      "pagerduty, routing_key: rk-secret}\n");
  REQUIRE(error_lines(r).empty());
  const auto yaml = to_yaml(r.value);
  CHECK(yaml.find("hunter2") == std::string::npos);
  CHECK(yaml.find("rk-secret") == std::string::npos);
  CHECK(yaml.find("http://x/") != std::string::npos);
  CHECK(yaml.find("(redacted)") != std::string::npos);
}

TEST_CASE("each sink becomes a leaf of a sinks supervisor placed before alerts") {
  const auto r = load(
      "alerts:\n  sinks:\n    - {type: slack, url: 'http://x/'}\n    - {name: pd, type: "
      "pagerduty, routing_key: k}\n");
  REQUIRE(error_lines(r).empty());
  const auto tree = with_sink_leaves(r.value.supervision, r.value.alerts.sinks);
  std::size_t sinks_at = 0, alerts_at = 0;
  for (std::size_t i = 0; i < tree.children.size(); ++i) {
    if (tree.children[i].name == "sinks") sinks_at = i;
    if (tree.children[i].name == "alerts") alerts_at = i;
  }
  REQUIRE(tree.children.size() == r.value.supervision.children.size() + 1);
  CHECK(sinks_at < alerts_at);
  const auto& sup = tree.children[sinks_at];
  CHECK(sup.kind == "supervisor");
  REQUIRE(sup.children.size() == 2);
  CHECK(sup.children[0].name == "sink-slack");
  CHECK(sup.children[0].kind == "alert_sink");
  CHECK(sup.children[0].args.at("sink") == "slack");
  CHECK(sup.children[1].name == "sink-pd");
  // Applied twice (or to a tree that declares the leaves): no duplicates.
  CHECK(with_sink_leaves(tree, r.value.alerts.sinks) == tree);
  // No sinks: the tree is unchanged.
  CHECK(with_sink_leaves(r.value.supervision, {}) == r.value.supervision);
}
