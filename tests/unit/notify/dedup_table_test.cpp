#include "runtime/notify/dedup_table.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/notify/notify_test_alert.hpp"

using namespace seerflow;
using namespace seerflow::notify;
using notify::test::sample_alert;

namespace {

constexpr std::int64_t minute = 60'000'000'000;

model::alert at(std::int64_t t, std::string rule = "r1", std::string entity = "web-prod-01") {
  auto a = sample_alert();
  a.rule = std::move(rule);
  a.entities = {{model::entity_type::host, std::move(entity), {}}};
  a.time_ns = t;
  a.id = a.rule + "@" + std::to_string(t);
  return a;
}

dedup_table table_of(config::alert_settings s) {
  return dedup_table(dedup_policy::from(s));
}

}  // namespace

TEST_CASE("repeats of one rule and entity inside the window count on the first alert") {
  auto t = table_of({});
  const auto first = t.observe(at(0));
  REQUIRE(first.w);
  CHECK_FALSE(first.repeat);
  for (int i = 1; i < 10; ++i) {
    const auto r = t.observe(at(i * minute));
    CHECK(r.repeat);
    CHECK(r.w->id == "r1@0");
    CHECK(r.w->count == static_cast<std::uint64_t>(i + 1));
  }
  // 15 minutes after the first, a new window opens with a new first alert.
  const auto later = t.observe(at(15 * minute));
  CHECK_FALSE(later.repeat);
  CHECK(later.w->id == "r1@" + std::to_string(15 * minute));
  // Out-of-order event time: a repeat just before the first is still inside.
  CHECK(t.observe(at(15 * minute - minute)).repeat);
}

TEST_CASE("another rule or another entity is another key") {
  auto t = table_of({});
  CHECK_FALSE(t.observe(at(0, "r1", "a")).repeat);
  CHECK_FALSE(t.observe(at(1, "r2", "a")).repeat);
  CHECK_FALSE(t.observe(at(2, "r1", "b")).repeat);
  CHECK(t.observe(at(3, "r1", "a")).repeat);
  CHECK(t.open_windows() == 3);
}

TEST_CASE("per-rule overrides set the window of their rule only") {
  config::alert_settings s;
  s.dedup_overrides = {"slow-rule=1h", "no-dedup-rule=0"};
  auto t = table_of(s);
  CHECK_FALSE(t.observe(at(0, "slow-rule")).repeat);
  CHECK(t.observe(at(59 * minute, "slow-rule")).repeat);
  CHECK_FALSE(t.observe(at(0, "r1")).repeat);
  CHECK_FALSE(t.observe(at(16 * minute, "r1")).repeat);
  // Window 0: every alert of that rule is its own.
  CHECK_FALSE(t.observe(at(0, "no-dedup-rule")).repeat);
  CHECK_FALSE(t.observe(at(0, "no-dedup-rule")).repeat);
  CHECK(t.observe(at(0, "no-dedup-rule")).w == nullptr);
}

TEST_CASE("per-kind keys choose the fields: risk per entity, whatever the rule") {
  config::alert_settings s;
  s.dedup_keys = {"risk=entity", "graph=rule+source+severity"};
  auto p = dedup_policy::from(s);
  auto a = at(0, "risk-threshold");
  a.kind = "risk";
  auto b = at(0, "another-rule");
  b.kind = "risk";
  CHECK(p.key_of(a) == "risk|web-prod-01");
  CHECK(p.key_of(a) == p.key_of(b));
  auto g = at(0, "fanout");
  g.kind = "graph";
  CHECK(p.key_of(g) == "graph|fanout|syslog|high");
  // Unlisted kinds: kind + rule + first entity.
  CHECK(p.key_of(at(0, "r1")) == "sigma|r1|web-prod-01");
  // A detector's own key wins.
  auto own = at(0);
  own.dedup_key = "mine";
  CHECK(p.key_of(own) == "mine");
  // No entity: the source stands in.
  auto bare = at(0);
  bare.entities.clear();
  CHECK(p.key_of(bare) == "sigma|r1|syslog");
}

TEST_CASE("dedup off: nothing is folded") {
  config::alert_settings s;
  s.dedup_window_ms = 0;
  auto t = table_of(s);
  CHECK_FALSE(t.observe(at(0)).repeat);
  CHECK_FALSE(t.observe(at(0)).repeat);
}

TEST_CASE("windows that closed are forgotten, so memory follows the active keys") {
  auto t = table_of({});
  for (int i = 0; i < 20000; ++i)
    t.observe(at(static_cast<std::int64_t>(i) * minute, "r", "e" + std::to_string(i)));
  CHECK(t.open_windows() < 6000);
}
