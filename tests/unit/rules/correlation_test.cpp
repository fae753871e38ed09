// Correlation rules in event time: windows, group-by, aliases, ordering, snapshot/restore.
#include <catch2/catch.hpp>

#include "rules/engine/correlation.hpp"
#include "tests/unit/rules/event_json.hpp"

namespace sr = seerflow::rules;

namespace {

const std::string base =
    "title: failed\nname: failed\nid: f-1\nlogsource: {product: linux, service: sshd}\n"
    "detection:\n  sel: {msg|contains: 'Failed password'}\n  condition: sel\n---\n"
    "title: ok\nname: ok\nid: o-1\nlogsource: {product: linux, service: sshd}\n"
    "detection:\n  sel: {msg|contains: 'Accepted password'}\n  condition: sel\n";

constexpr std::int64_t sec = 1000000000LL;

struct harness {
  sr::rule_set rs;
  std::unique_ptr<sr::correlation_engine> engine;
  explicit harness(const std::string& corr) {
    rs.add_yaml(corr + "---\n" + base, "c.yml");
    rs.finalize();
    REQUIRE(rs.rejections().empty());
    engine = std::make_unique<sr::correlation_engine>(rs);
  }
  std::size_t feed(const std::string& json, std::int64_t t) {
    sr::field_view ev(rs.fields());
    sr::testing::fill(ev, nlohmann::json::parse(json));
    sr::match_scratch s;
    std::vector<std::uint32_t> hits;
    rs.evaluate(rs.all_rules(), ev, s, hits);
    std::vector<sr::correlation_result> out;
    for (auto h : hits) engine->observe(h, ev, t, out);
    fired.insert(fired.end(), out.begin(), out.end());
    return out.size();
  }
  std::vector<sr::correlation_result> fired;
};

const char* fail_a = R"({"msg": "Failed password for root", "ip": "1.1.1.1", "user": "root"})";
const char* fail_b = R"({"msg": "Failed password for root", "ip": "2.2.2.2", "user": "root"})";
const char* ok_a = R"({"msg": "Accepted password for root", "ip": "1.1.1.1"})";

}  // namespace

TEST_CASE("event_count: sliding window per group, fires once per burst") {
  harness h(
      "title: brute\nid: b-1\ncorrelation:\n  type: event_count\n  rules: [failed]\n"
      "  group-by: [ip]\n  timespan: 1m\n  condition: {gte: 3}\nlevel: high\n");
  CHECK(h.feed(fail_a, 0) == 0);
  CHECK(h.feed(fail_b, 10 * sec) == 0);
  CHECK(h.feed(fail_a, 20 * sec) == 0);
  CHECK(h.feed(fail_a, 70 * sec) == 0);  // the event at 0 s left the window
  CHECK(h.feed(fail_a, 75 * sec) == 1);  // 20, 70, 75
  REQUIRE(h.fired.size() == 1);
  CHECK(h.fired[0].group_values == std::vector<std::string>{"1.1.1.1"});
  CHECK(h.fired[0].measured == 3);
  CHECK(h.feed(fail_a, 76 * sec) == 0);  // cleared after firing
  CHECK(h.rs.rules()[0].generate == false);
}

TEST_CASE("value_count counts distinct values") {
  harness h(
      "title: spray\nid: s-1\ncorrelation:\n  type: value_count\n  rules: [failed]\n"
      "  group-by: [ip]\n  timespan: 10m\n  condition: {field: user, gte: 2}\n");
  CHECK(h.feed(fail_a, 0) == 0);
  CHECK(h.feed(fail_a, sec) == 0);
  CHECK(h.feed(R"({"msg": "Failed password", "ip": "1.1.1.1", "user": "admin"})", 2 * sec) == 1);
}

TEST_CASE("temporal_ordered needs the rules in order; out-of-order arrival is sorted") {
  harness h(
      "title: brute then ok\nid: t-1\ncorrelation:\n  type: temporal_ordered\n"
      "  rules: [failed, ok]\n  group-by: [ip]\n  timespan: 5m\n");
  CHECK(h.feed(ok_a, 0) == 0);
  CHECK(h.feed(fail_a, 10 * sec) == 0);  // wrong order so far
  CHECK(h.feed(ok_a, 20 * sec) == 1);
  harness late(
      "title: brute then ok\nid: t-1\ncorrelation:\n  type: temporal_ordered\n"
      "  rules: [failed, ok]\n  group-by: [ip]\n  timespan: 5m\n");
  CHECK(late.feed(ok_a, 30 * sec) == 0);
  CHECK(late.feed(fail_a, 10 * sec) == 1);  // arrived late, happened first
}

TEST_CASE("range conditions and temporal") {
  harness h(
      "title: some\nid: r-1\ncorrelation:\n  type: event_count\n  rules: [failed]\n"
      "  timespan: 1h\n  condition: {gt: 1, lte: 2}\n");
  CHECK(h.feed(fail_a, 0) == 0);
  CHECK(h.feed(fail_b, sec) == 1);  // no group-by: one global group
  harness t(
      "title: both\nid: r-2\ncorrelation:\n  type: temporal\n  rules: [failed, ok]\n"
      "  group-by: [ip]\n  timespan: 1m\n");
  CHECK(t.feed(ok_a, 0) == 0);
  CHECK(t.feed(fail_b, sec) == 0);  // other group
  CHECK(t.feed(fail_a, 2 * sec) == 1);
}

TEST_CASE("state snapshot and restore") {
  sr::rule_set rs;
  rs.add_yaml(
      "title: brute\nid: b-1\ncorrelation:\n  type: value_count\n  rules: [failed]\n"
      "  group-by: [ip]\n  timespan: 1m\n  condition: {field: user, gte: 3}\n---\n" +
          base,
      "c.yml");
  rs.finalize();
  const auto& c = rs.correlations().at(0);
  sr::correlation_state a;
  sr::correlation_result r;
  const std::string u1 = "root", u2 = "admin", u3 = "oracle";
  CHECK_FALSE(a.observe(c, 0, 1 * sec, &u1, r));
  CHECK_FALSE(a.observe(c, 0, 2 * sec, &u2, r));
  const std::string snap = a.snapshot();
  sr::correlation_state b;
  REQUIRE(b.restore(snap));
  CHECK(b.size() == 2);
  CHECK(b.observe(c, 0, 3 * sec, &u3, r));
  CHECK(r.measured == 3);
  CHECK_FALSE(b.restore(snap.substr(0, snap.size() - 1)));
  CHECK_FALSE(b.restore("garbage"));
  sr::correlation_state e;
  CHECK(e.restore(sr::correlation_state{}.snapshot()));
  CHECK(e.empty());
}

TEST_CASE("timespan units") {
  CHECK(sr::parse_timespan("30s") == 30 * sec);
  CHECK(sr::parse_timespan("5m") == 300 * sec);
  CHECK(sr::parse_timespan("2h") == 7200 * sec);
  CHECK(sr::parse_timespan("1d") == 86400 * sec);
  CHECK(sr::parse_timespan("1M") > sr::parse_timespan("4w"));
  CHECK(sr::parse_timespan("5x") == 0);
  CHECK(sr::parse_timespan("m") == 0);
  CHECK(sr::parse_timespan("-5m") == 0);
}

namespace {
std::string failure(const std::string& ip, const std::string& user) {
  return R"({"msg": "Failed password for )" + user + R"(", "ip": ")" + ip + R"(", "user": ")" +
         user + R"("})";
}
const std::string spray =
    "title: spray\nid: s-2\ncorrelation:\n  type: value_count\n  rules: [failed]\n"
    "  group-by: [ip]\n  timespan: 10m\n  condition: {field: user, gte: 5}\n";
const std::string brute10m =
    "title: brute\nid: b-2\ncorrelation:\n  type: event_count\n  rules: [failed]\n"
    "  group-by: [ip]\n  timespan: 10m\n  condition: {gte: 3}\n";
constexpr std::int64_t minute = 60 * sec;
constexpr std::int64_t hour = 60 * minute;
}  // namespace

TEST_CASE("matches hours apart never share a window, whatever order they arrive in") {
  // A log replayed twice over (or two days of it, one after the other): the clock goes back
  // 17 hours. Three users before the jump and three after are six distinct users of one address,
  // but never within ten minutes.
  harness h(spray);
  const std::int64_t t0 = 17 * hour;
  CHECK(h.feed(failure("1.1.1.1", "u1"), t0) == 0);
  CHECK(h.feed(failure("1.1.1.1", "u2"), t0 + minute) == 0);
  CHECK(h.feed(failure("1.1.1.1", "u3"), t0 + 2 * minute) == 0);
  CHECK(h.feed(failure("1.1.1.1", "u4"), 0) == 0);  // the clock went back: a new window
  CHECK(h.feed(failure("1.1.1.1", "u5"), minute) == 0);
  CHECK(h.feed(failure("1.1.1.1", "u6"), 2 * minute) == 0);
  CHECK(h.engine->late_matches() == 0);
  // Two more within the new window: five distinct users in three minutes.
  CHECK(h.feed(failure("1.1.1.1", "u7"), 3 * minute) == 0);
  CHECK(h.feed(failure("1.1.1.1", "u8"), 3 * minute) == 1);
  REQUIRE(h.fired.size() == 1);
  CHECK(h.fired[0].first_ns == 0);
  CHECK(h.fired[0].last_ns == 3 * minute);
}

TEST_CASE("a match later than its group's window is dropped and counted, not windowed") {
  // Two hosts see the same address; one's clock is two hours behind (a time zone, say).
  harness h(spray);
  const std::int64_t t0 = 10 * hour;
  CHECK(h.feed(failure("1.1.1.1", "u1"), t0) == 0);
  CHECK(h.feed(failure("1.1.1.1", "u2"), t0 - 2 * hour) == 0);  // late: dropped
  CHECK(h.feed(failure("1.1.1.1", "u3"), t0 + minute) == 0);
  CHECK(h.feed(failure("1.1.1.1", "u4"), t0 - 2 * hour + minute) == 0);
  CHECK(h.feed(failure("1.1.1.1", "u5"), t0 + 2 * minute) == 0);
  CHECK(h.engine->late_matches() == 2);
  CHECK(h.feed(failure("1.1.1.1", "u6"), t0 + 3 * minute) == 0);  // u1, u3, u5, u6: four
  CHECK(h.feed(failure("1.1.1.1", "u7"), t0 + 4 * minute) == 1);
  REQUIRE(h.fired.size() == 1);
  CHECK(h.fired[0].first_ns == t0);
  CHECK(h.fired[0].measured == 5);
}

TEST_CASE("a match that came out of order leaves the window on time, behind its front") {
  harness h(brute10m);
  const std::int64_t t0 = 10 * hour;
  CHECK(h.feed(fail_a, t0) == 0);
  CHECK(h.feed(fail_a, t0 - 5 * minute) == 0);  // late, still within ten minutes of t0
  // At t0 + 6 min the match of t0 - 5 min is out (the one of t0 is in): two, not three.
  CHECK(h.feed(fail_a, t0 + 6 * minute) == 0);
  CHECK(h.feed(fail_a, t0 + 7 * minute) == 1);
  REQUIRE(h.fired.size() == 1);
  CHECK(h.fired[0].first_ns == t0);
  CHECK(h.engine->late_matches() == 0);
  // In order, a match within the timespan of the newest still counts.
  harness in(brute10m);
  CHECK(in.feed(fail_a, t0) == 0);
  CHECK(in.feed(fail_a, t0 - 9 * minute) == 0);
  CHECK(in.feed(fail_a, t0 - minute) == 1);
}

TEST_CASE("a restored window knows which matches came out of order") {
  harness h(brute10m);
  const std::int64_t t0 = 10 * hour;
  CHECK(h.feed(fail_a, t0) == 0);
  CHECK(h.feed(fail_a, t0 - 5 * minute) == 0);
  const auto snap = h.engine->snapshot();
  h.engine = std::make_unique<sr::correlation_engine>(h.rs);
  REQUIRE(h.engine->restore(snap));
  CHECK(h.feed(fail_a, t0 + 6 * minute) == 0);  // the t0 - 5 min match expired
  CHECK(h.feed(fail_a, t0 + 7 * minute) == 1);
}
