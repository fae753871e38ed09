// An entity actor's state: counts, first/last seen, the event-time watermark, a window bounded by
// count and by span, late data, and snapshots that survive passivation (and hostile bytes).
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/state/entity_state.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/utf8.hpp"

using namespace seerflow;
using seerflow::state::entity_state;
using seerflow::state::window_options;

namespace {

constexpr std::int64_t sec = 1'000'000'000;
const std::int64_t t0 = util::to_unix_ns(2025, 3, 1, 12, 0, 0);

model::entity_ref ip_ref(std::string value = "10.0.0.7") {
  model::entity_ref r;
  r.type = model::entity_type::ip;
  r.value = std::move(value);
  for (std::size_t i = 0; i < r.id.size(); ++i) r.id[i] = static_cast<std::uint8_t>(0xA0 + i);
  return r;
}

model::entity_observation obs(std::int64_t t, std::uint64_t seq, std::uint64_t tpl = 7) {
  return {t, seq, tpl};
}

std::vector<std::int64_t> window_times(const entity_state& s) {
  std::vector<std::int64_t> out;
  for (const auto& o : s.window()) out.push_back(o.time_ns);
  return out;
}

std::vector<std::uint64_t> window_seqs(const entity_state& s) {
  std::vector<std::uint64_t> out;
  for (const auto& o : s.window()) out.push_back(o.seq);
  return out;
}

window_options opts(std::int64_t span_s, std::size_t max_events) {
  window_options o;
  o.span_ns = span_s * sec;
  o.max_events = max_events;
  return o;
}

// Every observable part of two states is the same.
void require_same(const entity_state& a, const entity_state& b) {
  CHECK(a.ref() == b.ref());
  CHECK(a.event_count() == b.event_count());
  CHECK(a.late_count() == b.late_count());
  CHECK(a.first_seen_ns() == b.first_seen_ns());
  CHECK(a.last_seen_ns() == b.last_seen_ns());
  CHECK(a.watermark_ns() == b.watermark_ns());
  CHECK(window_times(a) == window_times(b));
  CHECK(window_seqs(a) == window_seqs(b));
  CHECK(a.inspect_json(1000) == b.inspect_json(1000));
  CHECK(a.snapshot() == b.snapshot());
}

// The correlation part of the view of an entity that has had no findings.
constexpr const char* no_correlation =
    R"("correlation":{"risk":0.0,"risk_threshold":50.0,"risk_armed":true,"risk_time":"",)"
    R"("findings":0,"late_findings":0,"risk_alerts":0,"kill_chain_alerts":0,"watermark":"",)"
    R"("window_s":86400,"window_start":"","tactics":[],"reported_tactics":[],)"
    R"("recent_contributors":[]})";

model::finding finding(const std::string& id, std::int64_t t, const std::string& severity,
                       std::vector<std::string> tactics) {
  model::finding f;
  f.alert_id = id;
  f.kind = "sigma";
  f.severity = severity;
  f.rule = "rule-" + id;
  f.title = "Rule " + id;
  f.time_ns = t;
  f.tactics = std::move(tactics);
  return f;
}

}  // namespace

TEST_CASE("a fresh entity state has seen nothing") {
  entity_state s(ip_ref(), {});
  CHECK(s.ref() == ip_ref());
  CHECK(s.event_count() == 0);
  CHECK(s.late_count() == 0);
  CHECK(s.window().empty());
  CHECK(s.inspect_json() ==
        R"({"type":"ip","value":"10.0.0.7","events":0,"first_seen":"","last_seen":"",)"
        R"("late_events":0,"window_size":0,"window_recent":[],)" +
            std::string(no_correlation) + "}");
}

TEST_CASE("observe counts events and tracks first seen, last seen and watermark") {
  entity_state s(ip_ref(), opts(3600, 256));
  s.observe({obs(t0 + 10 * sec, 1), obs(t0 + 5 * sec, 2)});
  s.observe({obs(t0 + 20 * sec, 3)});
  CHECK(s.event_count() == 3);
  CHECK(s.first_seen_ns() == t0 + 5 * sec);
  CHECK(s.last_seen_ns() == t0 + 20 * sec);
  CHECK(s.watermark_ns() == t0 + 20 * sec);
  CHECK(s.late_count() == 0);
  // Arrival order, not event-time order.
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(window_times(s) == std::vector<std::int64_t>{t0 + 10 * sec, t0 + 5 * sec, t0 + 20 * sec});
  s.observe({});  // an empty delivery changes nothing
  CHECK(s.event_count() == 3);
}

TEST_CASE("the window keeps at most max_events, the most recent arrivals") {
  entity_state s(ip_ref(), opts(3600, 4));
  std::vector<model::entity_observation> batch;
  for (std::uint64_t i = 1; i <= 10; ++i)
    batch.push_back(obs(t0 + static_cast<std::int64_t>(i), i));
  s.observe(batch);
  CHECK(s.event_count() == 10);
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{7, 8, 9, 10});
  s.observe({obs(t0 + 11, 11)});
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{8, 9, 10, 11});
  CHECK(s.late_count() == 0);
}

TEST_CASE("the window drops what falls out of [watermark - span, watermark]") {
  entity_state s(ip_ref(), opts(10, 256));
  s.observe({obs(t0, 1), obs(t0 + 5 * sec, 2)});
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{1, 2});
  s.observe({obs(t0 + 12 * sec, 3)});  // window start t0 + 2 s: the first leaves
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{2, 3});
  s.observe({obs(t0 + 15 * sec, 4)});  // start t0 + 5 s: an event exactly at the start stays
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{2, 3, 4});
  s.observe({obs(t0 + 100 * sec, 5)});
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{5});
  CHECK(s.event_count() == 5);
  CHECK(s.first_seen_ns() == t0);
}

TEST_CASE("late events are counted but not windowed") {
  entity_state s(ip_ref(), opts(10, 256));
  s.observe({obs(t0 + 100 * sec, 1)});
  s.observe({obs(t0 + 80 * sec, 2)});  // older than watermark - span: late
  s.observe({obs(t0 + 90 * sec, 3)});  // exactly at the window start: in time
  s.observe({obs(t0 + 89 * sec, 4)});  // one second before it: late
  CHECK(s.event_count() == 4);
  CHECK(s.late_count() == 2);
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{1, 3});
  CHECK(s.watermark_ns() == t0 + 100 * sec);  // late data never moves the watermark
  CHECK(s.first_seen_ns() == t0 + 80 * sec);  // but it was seen
  CHECK(s.last_seen_ns() == t0 + 100 * sec);
}

TEST_CASE("out-of-order arrivals inside the span are windowed in arrival order") {
  entity_state s(ip_ref(), opts(10, 256));
  s.observe({obs(t0 + 100 * sec, 1), obs(t0 + 105 * sec, 2), obs(t0 + 101 * sec, 3)});
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(s.watermark_ns() == t0 + 105 * sec);
  // Start moves to t0 + 102 s: seq 1 leaves from the front; seq 3 (t0 + 101 s) is stale too but
  // sits behind a fresh entry, and leaves when it reaches the front.
  s.observe({obs(t0 + 112 * sec, 4)});
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{2, 3, 4});
  s.observe({obs(t0 + 116 * sec, 5)});  // start t0 + 106 s: seq 2 leaves, then seq 3
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{4, 5});
  CHECK(s.late_count() == 0);
}

TEST_CASE("event times before 1970 anchor the watermark like any other") {
  entity_state s(ip_ref(), opts(10, 256));
  const std::int64_t t = util::to_unix_ns(1969, 7, 20, 20, 17, 40);
  s.observe({obs(t, 1)});
  CHECK(s.watermark_ns() == t);
  s.observe({obs(t + 2 * sec, 2), obs(t - 5 * sec, 3)});
  CHECK(s.late_count() == 0);
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(s.watermark_ns() == t + 2 * sec);
  CHECK(s.first_seen_ns() == t - 5 * sec);
}

TEST_CASE("inspect_json: bounded, newest items in event-time order") {
  entity_state s(ip_ref(), opts(3600, 256));
  s.observe({obs(t0 + 3 * sec, 1, 0x11), obs(t0 + 1 * sec, 2, 0x22), obs(t0 + 2 * sec, 3, 0x33)});
  s.observe({obs(t0 - 7200 * sec, 4)});  // late
  CHECK(s.inspect_json(2) ==
        R"({"type":"ip","value":"10.0.0.7","events":4,"first_seen":"2025-03-01T10:00:00Z",)"
        R"("last_seen":"2025-03-01T12:00:03Z","late_events":1,"window_size":3,"window_recent":[)"
        R"({"time":"2025-03-01T12:00:02Z","seq":3,"template_id":51},)"
        R"({"time":"2025-03-01T12:00:03Z","seq":1,"template_id":17}],)" +
            std::string(no_correlation) + "}");
  const auto all = nlohmann::json::parse(s.inspect_json());
  CHECK(all["window_recent"].size() == 3);
  CHECK(all["window_recent"][0]["seq"] == 2);
  CHECK(nlohmann::json::parse(s.inspect_json(0))["window_recent"].empty());
}

TEST_CASE("inspect_json of a value that is not valid UTF-8 is still valid JSON") {
  entity_state s(ip_ref("bad\xFF"
                        "value"),
                 opts(3600, 4));
  s.observe({obs(t0, 1)});
  std::string j;
  REQUIRE_NOTHROW(j = s.inspect_json());
  CHECK(util::is_valid_utf8(j));
  CHECK(nlohmann::json::parse(j)["value"] == "bad\xEF\xBF\xBDvalue");
}

TEST_CASE("snapshot then restore gives an equal state that goes on identically") {
  const window_options o = opts(60, 8);
  entity_state s(ip_ref(), o);
  std::mt19937_64 rng(3);
  for (std::uint64_t i = 1; i <= 50; ++i)
    s.observe(
        {obs(t0 + static_cast<std::int64_t>(i) * sec - static_cast<std::int64_t>(rng() % 90) * sec,
             i, rng() % 5)});
  REQUIRE(s.late_count() > 0);
  auto r = entity_state::restore(s.snapshot(), o);
  REQUIRE(r);
  require_same(s, *r);
  // Both go on the same way.
  for (std::uint64_t i = 51; i <= 80; ++i) {
    const auto o2 = obs(
        t0 + static_cast<std::int64_t>(i) * sec - static_cast<std::int64_t>(rng() % 90) * sec, i);
    s.observe({o2});
    r->observe({o2});
  }
  require_same(s, *r);

  entity_state empty(ip_ref("alice"), o);
  auto r2 = entity_state::restore(empty.snapshot(), o);
  REQUIRE(r2);
  require_same(empty, *r2);
}

TEST_CASE("restore with smaller window options trims the window") {
  entity_state s(ip_ref(), opts(3600, 100));
  for (std::uint64_t i = 1; i <= 20; ++i)
    s.observe({obs(t0 + static_cast<std::int64_t>(i) * 60 * sec, i)});
  REQUIRE(s.window().size() == 20);
  const std::string snap = s.snapshot();

  auto fewer = entity_state::restore(snap, opts(3600, 5));
  REQUIRE(fewer);
  CHECK(window_seqs(*fewer) == std::vector<std::uint64_t>{16, 17, 18, 19, 20});
  CHECK(fewer->event_count() == 20);

  auto shorter = entity_state::restore(snap, opts(180, 100));  // the last 3 minutes
  REQUIRE(shorter);
  CHECK(window_seqs(*shorter) == std::vector<std::uint64_t>{17, 18, 19, 20});

  auto larger = entity_state::restore(snap, opts(7200, 1000));
  REQUIRE(larger);
  CHECK(larger->window().size() == 20);
}

TEST_CASE("restore refuses bad versions, types, lengths and trailing bytes") {
  entity_state s(ip_ref(), {});
  s.observe({obs(t0, 1), obs(t0 + sec, 2)});
  const std::string snap = s.snapshot();
  REQUIRE(entity_state::restore(snap, {}));

  std::string v = snap;
  v[0] = 3;
  CHECK_FALSE(entity_state::restore(v, {}));
  std::string type = snap;
  type[1] = static_cast<char>(model::entity_type_names.size());
  CHECK_FALSE(entity_state::restore(type, {}));
  type[1] = static_cast<char>(model::entity_type::process);
  auto process = entity_state::restore(type, {});
  REQUIRE(process);
  CHECK(process->ref().type == model::entity_type::process);
  CHECK_FALSE(entity_state::restore(snap + '\0', {}));
  CHECK_FALSE(entity_state::restore("", {}));
  for (std::size_t n = 0; n < snap.size(); ++n) {
    INFO("truncated to " << n);
    CHECK_FALSE(entity_state::restore(snap.substr(0, n), {}));
  }
}

TEST_CASE("randomized: corrupted snapshots restore to nothing or to a usable state") {
  // A state with every field in use, then thousands of mutations of its snapshot. A restored
  // state must work: inspect, snapshot, observe more, round-trip again.
  entity_state s(ip_ref("host-\xC3\xA9.example"), opts(30, 16));
  for (std::uint64_t i = 1; i <= 40; ++i)
    s.observe({obs(t0 + static_cast<std::int64_t>(i % 7) * 10 * sec + static_cast<std::int64_t>(i),
                   i, i * 0x9E3779B97F4A7C15ull)});
  const std::string snap = s.snapshot();
  std::mt19937_64 rng(20250301);
  std::size_t restored = 0, refused = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bad = snap;
    const int kind = static_cast<int>(rng() % 5);
    if (kind == 0) {
      bad.resize(rng() % bad.size());
    } else if (kind == 1) {
      for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k)
        bad[rng() % bad.size()] = static_cast<char>(rng());
    } else if (kind == 2) {
      bad.insert(rng() % bad.size(), 1, static_cast<char>(rng()));
    } else if (kind == 3) {
      bad.erase(rng() % bad.size(), 1 + rng() % 8);
    } else {
      // Extreme values where the times are: 0xFF bytes make huge varints.
      const std::size_t at = 2 + rng() % (bad.size() - 2);
      for (std::size_t k = at; k < std::min(bad.size(), at + 9); ++k) bad[k] = '\xFF';
    }
    auto r = entity_state::restore(bad, opts(30, 16));
    if (!r) {
      ++refused;
      continue;
    }
    ++restored;
    const std::string j = r->inspect_json();
    REQUIRE(util::is_valid_utf8(j));
    REQUIRE_FALSE(nlohmann::json::parse(j).is_discarded());
    REQUIRE(r->window().size() <= 16);
    r->observe({obs(t0, 1000), obs(std::numeric_limits<std::int64_t>::max(), 1001),
                obs(std::numeric_limits<std::int64_t>::min(), 1002)});
    auto again = entity_state::restore(r->snapshot(), opts(30, 16));
    REQUIRE(again);
    REQUIRE(again->snapshot() == r->snapshot());
  }
  CHECK(restored > 0);
  CHECK(refused > 0);
}

TEST_CASE("extreme event times never overflow the window arithmetic") {
  entity_state s(ip_ref(), opts(3600, 8));
  const auto lo = std::numeric_limits<std::int64_t>::min();
  const auto hi = std::numeric_limits<std::int64_t>::max();
  s.observe({obs(lo, 1), obs(lo + 1, 2)});
  CHECK(s.watermark_ns() == lo + 1);
  CHECK(s.late_count() == 0);
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{1, 2});
  s.observe({obs(hi, 3), obs(lo, 4)});
  CHECK(s.watermark_ns() == hi);
  CHECK(s.late_count() == 1);
  CHECK(window_seqs(s) == std::vector<std::uint64_t>{3});
  auto r = entity_state::restore(s.snapshot(), opts(3600, 8));
  REQUIRE(r);
  require_same(s, *r);
}

TEST_CASE("findings feed the correlation; its state travels in the snapshot") {
  entity_state s(ip_ref(), {});
  std::vector<model::alert> out;
  CHECK(s.correlate("src", {}, out) == 0);
  s.correlate("src",
              {finding("a", t0, "critical", {"credential-access"}),
               finding("b", t0 + sec, "high", {"initial-access"}),
               finding("c", t0 + 2 * sec, "low", {"execution"})},
              out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].kind == "risk");
  CHECK(out[0].source == "src");
  CHECK(out[0].entities.at(0) == ip_ref());
  CHECK(out[1].kind == "kill_chain");
  auto back = entity_state::restore(s.snapshot(), {});
  REQUIRE(back);
  CHECK(back->inspect_json() == s.inspect_json());
  CHECK(back->correlation().risk_alerts() == 1);
  out.clear();
  back->correlate("src", {finding("d", t0 + 3 * sec, "high", {"execution"})}, out);
  CHECK(out.empty());  // neither alert again after a restore
  const auto view = nlohmann::json::parse(back->inspect_json());
  CHECK(view["correlation"]["tactics"].size() == 3);
}

TEST_CASE("version 1 snapshots (before correlation) still restore") {
  entity_state s(ip_ref(), {});
  s.observe({obs(t0, 1), obs(t0 + sec, 2)});
  std::string snap = s.snapshot();
  util::byte_writer w;
  correlate::entity_correlator(correlate::settings{}).write(w);
  const auto tail = w.take().size();
  std::string v1 = snap.substr(0, snap.size() - tail);
  v1[0] = 1;
  auto back = entity_state::restore(v1, {});
  REQUIRE(back);
  CHECK(back->event_count() == 2);
  CHECK(back->correlation().findings() == 0);
  CHECK(back->snapshot() == snap);  // written back as version 2
}
