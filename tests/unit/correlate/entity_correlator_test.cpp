// One entity's correlation end to end: findings in, risk and kill-chain alerts out, late
// findings counted, state carried through a snapshot, a bounded inspect view.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "runtime/correlate/entity_correlator.hpp"

using namespace seerflow;
using correlate::entity_correlator;

namespace {
constexpr std::int64_t sec = 1'000'000'000;
constexpr std::int64_t hour = 3600 * sec;
constexpr std::int64_t t0 = 1'700'000'000LL * sec;

model::entity_ref host() {
  model::entity_ref e;
  e.type = model::entity_type::host;
  e.value = "web-prod-01";
  e.id[0] = 7;
  return e;
}

model::finding sigma(const std::string& id, std::int64_t t, const std::string& severity,
                     std::vector<std::string> tactics = {}) {
  model::finding f;
  f.alert_id = id;
  f.kind = "sigma";
  f.severity = severity;
  f.rule = "rule-" + id;
  f.title = "Rule " + id;
  f.time_ns = t;
  f.tactics = std::move(tactics);
  f.event_seqs = {static_cast<std::uint64_t>(t / sec % 1000)};
  return f;
}

std::vector<model::alert> apply(entity_correlator& c, std::vector<model::finding> fs,
                                std::size_t* late = nullptr) {
  std::vector<model::alert> out;
  const auto n = c.apply(host(), "test", fs, out);
  if (late) *late = n;
  return out;
}
}  // namespace

TEST_CASE("points by kind and level add up to one risk alert at the threshold") {
  correlate::settings s;  // 50, 4 h; high = 20, critical = 40, correlation = 25
  entity_correlator c(s);
  CHECK(apply(c, {sigma("a", t0, "high")}).empty());
  CHECK(apply(c, {sigma("b", t0, "medium")}).empty());  // 30
  model::finding corr = sigma("c", t0 + sec, "critical");
  corr.kind = "correlation";  // flat 25, whatever its level
  auto alerts = apply(c, {corr});
  REQUIRE(alerts.size() == 1);
  const auto& a = alerts[0];
  CHECK(a.kind == "risk");
  CHECK(a.rule == "risk_threshold");
  CHECK(a.time_ns == t0 + sec);
  CHECK(a.source == "test");
  REQUIRE(a.entities.size() == 1);
  CHECK(a.entities[0].value == "web-prod-01");
  CHECK(a.id.rfind("risk-", 0) == 0);
  const auto d = nlohmann::json::parse(a.details_json);
  CHECK(d["threshold"] == 50.0);
  CHECK(d["risk"].get<double>() == Approx(55.0).epsilon(1e-4));
  CHECK(d["contributors"].size() == 3);
  CHECK(d["contributors"][2]["rule"] == "rule-c");
  CHECK(c.risk_alerts() == 1);
  // Above the threshold, further findings raise no second risk alert.
  CHECK(apply(c, {sigma("d", t0 + 2 * sec, "critical")}).empty());
}

TEST_CASE("a persistent entity raises again after its risk decayed below the threshold") {
  entity_correlator c(correlate::settings{});
  REQUIRE(apply(c, {sigma("a", t0, "critical"), sigma("b", t0, "high")}).size() == 1);  // 60
  // 8 h later: 15. Re-armed; 15 + 40 = 55 crosses again.
  auto again = apply(c, {sigma("c", t0 + 8 * hour, "critical")});
  REQUIRE(again.size() == 1);
  CHECK(again[0].kind == "risk");
  CHECK(again[0].time_ns == t0 + 8 * hour);
  CHECK(c.risk_alerts() == 2);
}

TEST_CASE("risk and kill-chain alerts never become findings again") {
  entity_correlator c(correlate::settings{});
  model::finding f = sigma("r", t0, "critical", {"execution", "persistence", "impact"});
  f.kind = "risk";
  CHECK(apply(c, {f, f, f}).empty());
  f.kind = "kill_chain";
  CHECK(apply(c, {f}).empty());
  CHECK(c.risk().value() == 0);
  CHECK(c.findings() == 0);
}

TEST_CASE("three tactics raise a kill-chain alert in order, with evidence") {
  correlate::settings s;
  s.points = {};  // no risk alerts in the way
  s.points.sigma_low = s.points.sigma_medium = s.points.sigma_high = s.points.sigma_critical = 1;
  entity_correlator c(s);
  CHECK(apply(c, {sigma("bf", t0, "medium", {"credential-access"})}).empty());
  CHECK(apply(c, {sigma("login", t0 + 60 * sec, "high", {"initial-access", "credential-access"})})
            .empty());
  auto out = apply(c, {sigma("cron", t0 + 600 * sec, "critical",
                             {"persistence", "execution", "command-and-control"})});
  REQUIRE(out.size() == 1);
  const auto& a = out[0];
  CHECK(a.kind == "kill_chain");
  CHECK(a.tactics == std::vector<std::string>{"initial-access", "execution", "persistence",
                                              "credential-access", "command-and-control"});
  CHECK(a.severity == "critical");  // five tactics: two beyond the minimum
  CHECK(a.time_ns == t0 + 600 * sec);
  const auto d = nlohmann::json::parse(a.details_json);
  CHECK(d["window_s"] == 86400);
  REQUIRE(d["stages"].size() == 5);
  CHECK(d["stages"][0]["tactic"] == "initial-access");
  CHECK(d["stages"][0]["evidence"][0]["alert"] == "login");
  CHECK(d["stages"][3]["evidence"].size() == 2);  // credential-access: bf and login
  CHECK(d["stages"][3]["evidence"][0]["rule"] == "rule-bf");
  CHECK(apply(c, {sigma("more", t0 + 700 * sec, "high", {"persistence"})}).empty());
}

TEST_CASE("late findings are counted and still scored where they fit") {
  correlate::settings s;
  s.allowed_lateness_ns = 60 * sec;
  entity_correlator c(s);
  std::size_t late = 0;
  apply(c, {sigma("now", t0 + hour, "low", {"execution"})}, &late);
  CHECK(late == 0);
  apply(c, {sigma("slightly", t0 + hour - 30 * sec, "low")}, &late);
  CHECK(late == 0);  // within the allowed lateness
  apply(c, {sigma("late", t0 + hour - 4 * hour, "critical", {"persistence"})}, &late);
  CHECK(late == 1);
  CHECK(c.late_findings() == 1);
  // Scored at its decayed value: 40 / 2 after one half-life of the 4 h it is behind (and the
  // slightly late one 30 s of decay).
  CHECK(c.risk().value() == Approx(5 + 5 * std::exp2(-30.0 / (4 * 3600)) + 20).epsilon(1e-12));
  // Inside the 24 h window: its tactic counts.
  CHECK(c.chain().stages(c.horizon_ns()).size() == 2);
  apply(c, {sigma("ancient", t0 - 48 * hour, "low", {"impact"})}, &late);
  CHECK(late == 1);
  CHECK(c.chain().stages(c.horizon_ns()).size() == 2);  // outside the window: no tactic
  CHECK(c.late_findings() == 2);
}

TEST_CASE("correlation state survives a snapshot and restored state keeps its promises") {
  entity_correlator c(correlate::settings{});
  apply(c, {sigma("a", t0, "critical", {"credential-access"}),
            sigma("b", t0, "high", {"initial-access"}), sigma("c", t0, "low", {"execution"})});
  REQUIRE(c.risk_alerts() == 1);
  REQUIRE(c.kill_chain_alerts() == 1);
  util::byte_writer w;
  c.write(w);
  const std::string bytes = w.take();
  entity_correlator back(correlate::settings{});
  util::byte_reader r(bytes);
  REQUIRE(back.read(r));
  CHECK(r.at_end());
  CHECK(back.risk().value() == c.risk().value());
  CHECK(back.risk().armed() == c.risk().armed());
  CHECK(back.findings() == 3);
  CHECK(back.view().dump() == c.view().dump());
  // Neither alert is raised a second time by the restored state.
  CHECK(apply(back, {sigma("d", t0 + sec, "high", {"execution"})}).empty());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    entity_correlator cut(correlate::settings{});
    util::byte_reader rc(std::string_view(bytes).substr(0, n));
    CHECK_FALSE((cut.read(rc) && rc.at_end()));
  }
}

TEST_CASE("randomized: corrupted correlation snapshots restore to nothing or usable state") {
  entity_correlator c(correlate::settings{});
  for (int i = 0; i < 20; ++i)
    apply(c, {sigma("x" + std::to_string(i), t0 + i * hour, i % 2 ? "high" : "low",
                    {i % 3 ? "execution" : "persistence", "credential-access"})});
  util::byte_writer w;
  c.write(w);
  const std::string snap = w.take();
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 5000; ++iter) {
    std::string bad = snap;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k)
      bad[rng() % bad.size()] = static_cast<char>(rng());
    if (rng() % 3 == 0) bad.resize(rng() % bad.size());
    entity_correlator x(correlate::settings{});
    util::byte_reader r(bad);
    if (!x.read(r)) continue;
    // Usable: a view that dumps, and findings that apply.
    CHECK_NOTHROW(x.view().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    std::vector<model::alert> out;
    x.apply(host(), "test", {sigma("y", t0, "critical", {"impact"})}, out);
    CHECK(std::isfinite(x.risk().value()));
  }
}

TEST_CASE("the inspect view shows risk, tactics and the window") {
  entity_correlator c(correlate::settings{});
  apply(c, {sigma("a", t0, "high", {"credential-access"})});
  const auto v = c.view();
  CHECK(v["risk"] == 20.0);
  CHECK(v["risk_threshold"] == 50.0);
  CHECK(v["risk_armed"] == true);
  CHECK(v["findings"] == 1);
  CHECK(v["window_s"] == 86400);
  REQUIRE(v["tactics"].size() == 1);
  CHECK(v["tactics"][0]["tactic"] == "credential-access");
  CHECK(v["tactics"][0]["last_alert"] == "a");
  CHECK(v["recent_contributors"].size() == 1);
}

TEST_CASE("hostile findings: extreme times, empty fields, binary text") {
  entity_correlator c(correlate::settings{});
  constexpr auto lo = std::numeric_limits<std::int64_t>::min();
  constexpr auto hi = std::numeric_limits<std::int64_t>::max();
  model::finding odd = sigma(std::string("\xff\xfe\0x", 4), lo, "", {"", "\x01\x02"});
  odd.rule.clear();
  odd.kind = "sigma";
  std::vector<model::alert> out;
  CHECK_NOTHROW(c.apply(host(), "", {odd, sigma("b", hi, "critical", {"impact"}), odd}, out));
  CHECK(c.late_findings() == 1);  // the second odd one, behind the newest
  CHECK(std::isfinite(c.risk().value()));
  const auto v = c.view().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  CHECK_FALSE(nlohmann::json::parse(v).is_discarded());
  for (const auto& a : out) CHECK_FALSE(nlohmann::json::parse(a.details_json).is_discarded());
  util::byte_writer w;
  c.write(w);
  const auto bytes = w.take();
  entity_correlator back(correlate::settings{});
  util::byte_reader r(bytes);
  CHECK(back.read(r));
}
