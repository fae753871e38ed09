// Entity actors correlate, deterministically: findings in, one risk alert out per crossing,
// re-armed after decay; a kill chain once per growth; state that survives passivation; late
// findings counted. The real alert actor collects what they raise.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "actors/alert_actor.hpp"
#include "actors/directory_actor.hpp"
#include "actors/entity_actor.hpp"
#include "actors/sigma_rules.hpp"
#include "messages/inspect.hpp"
#include "runtime/parse/uuid5.hpp"
#include "tests/actors/test_system.hpp"

using namespace seerflow;

namespace {

constexpr std::int64_t sec = 1'000'000'000;
constexpr std::int64_t hour = 3600 * sec;
constexpr std::int64_t t0 = 1'741'943'521LL * sec;

model::entity_ref host(const std::string& v = "web-prod-01") {
  model::entity_ref r;
  r.type = model::entity_type::host;
  r.value = v;
  r.id = parse::uuid5(parse::entity_namespace(r.type), v);
  return r;
}

model::finding finding(const std::string& id, std::int64_t t, const std::string& severity,
                       std::vector<std::string> tactics = {}) {
  model::finding f;
  f.alert_id = id;
  f.kind = "sigma";
  f.severity = severity;
  f.rule = "rule-" + id;
  f.title = "Rule " + id;
  f.time_ns = t;
  f.tactics = std::move(tactics);
  f.event_seqs = {1};
  return f;
}

messages::entity_message message(std::vector<model::finding> fs,
                                 const std::string& v = "web-prod-01") {
  messages::entity_message m;
  m.delivery.entity = host(v);
  m.delivery.source = "story";
  m.delivery.findings = std::move(fs);
  return m;
}

struct fixture : test::test_system {
  actors::alert_actor alerts;
  std::vector<caf::actor> to_stop;

  fixture() {
    ctx.mode = system::run_mode::analyze;  // no store: the alert actor only collects
    alerts = sys->spawn(actors::alert_actor_impl, &ctx);
    registry->put({"alerts", "alerts", "", "local", 1}, caf::actor_cast<caf::actor>(alerts));
    run();
  }

  ~fixture() {
    for (auto& a : to_stop) caf::anon_send_exit(a, caf::exit_reason::kill);
    caf::anon_send_exit(alerts, caf::exit_reason::kill);
    run();
  }

  actors::entity_actor spawn_entity(std::string snapshot = {}) {
    actors::entity_actor_options o;
    o.ctx = &ctx;
    o.late_findings = &metrics.get_counter("late_events", {{"stage", "correlation"}});
    auto e = sys->spawn(actors::entity_actor_impl, host(), o, std::move(snapshot));
    to_stop.push_back(caf::actor_cast<caf::actor>(e));
    run();
    return e;
  }

  template <class Result, class Handle, class... Ts>
  Result ask(Handle h, Ts... xs) {
    Result out{};
    bool done = false;
    auto probe = sys->spawn([&, h, xs...](caf::event_based_actor* self) {
      self->request(h, caf::infinite, xs...).then([&, self](const Result& r) {
        out = r;
        done = true;
        self->quit();
      });
    });
    run();
    REQUIRE(done);
    return out;
  }

  std::vector<model::alert> raised(const std::string& kind) {
    std::vector<model::alert> out;
    for (auto& a : ask<std::vector<model::alert>>(alerts, messages::alerts_atom::value))
      if (a.kind == kind) out.push_back(a);
    return out;
  }
};

}  // namespace

TEST_CASE_METHOD(fixture, "findings in, one risk alert out, re-armed after decay") {
  auto e = spawn_entity();
  caf::anon_send(e, message({finding("a", t0, "critical")}));  // 40
  run();
  CHECK(raised("risk").empty());
  caf::anon_send(e, message({finding("b", t0 + sec, "high"), finding("c", t0 + 2 * sec, "high")}));
  run();
  auto risk = raised("risk");
  REQUIRE(risk.size() == 1);  // crossed at b (60), not again at c
  CHECK(risk[0].time_ns == t0 + sec);
  CHECK(risk[0].entities.at(0).value == "web-prod-01");
  CHECK(risk[0].source == "story");
  // The same attacker an hour later: still above the threshold, nothing new.
  caf::anon_send(e, message({finding("d", t0 + hour, "critical")}));
  run();
  CHECK(raised("risk").size() == 1);
  // 12 h of quiet: (80 * 2^-1/4 + 40) / 8 = 13.4 is well below 50, so the entity has re-armed
  // (13.4 + 20 raises nothing), and a persistent attacker crossing again is reported again.
  caf::anon_send(e, message({finding("e", t0 + 13 * hour, "high")}));
  run();
  CHECK(raised("risk").size() == 1);
  caf::anon_send(e, message({finding("f", t0 + 13 * hour + sec, "critical")}));
  run();
  risk = raised("risk");
  REQUIRE(risk.size() == 2);
  CHECK(risk[1].time_ns == t0 + 13 * hour + sec);
  const auto view = nlohmann::json::parse(ask<std::string>(e, messages::inspect_atom::value));
  CHECK(view["correlation"]["risk_alerts"] == 2);
  CHECK(view["correlation"]["risk_armed"] == false);
}

TEST_CASE_METHOD(fixture, "a kill chain is raised once per growth of the tactic set") {
  auto e = spawn_entity();
  caf::anon_send(e, message({finding("bf", t0, "low", {"credential-access"}),
                             finding("login", t0 + 60 * sec, "low", {"initial-access"})}));
  run();
  CHECK(raised("kill_chain").empty());
  caf::anon_send(e, message({finding("cron", t0 + 300 * sec, "low", {"persistence"})}));
  run();
  auto kc = raised("kill_chain");
  REQUIRE(kc.size() == 1);
  CHECK(kc[0].tactics ==
        std::vector<std::string>{"initial-access", "persistence", "credential-access"});
  caf::anon_send(e, message({finding("cron2", t0 + 400 * sec, "low", {"persistence"})}));
  run();
  CHECK(raised("kill_chain").size() == 1);
  // Growth: a fourth tactic, an hour later (outside the dedup window of the first alert).
  caf::anon_send(e, message({finding("c2", t0 + hour, "low", {"command-and-control"})}));
  run();
  kc = raised("kill_chain");
  REQUIRE(kc.size() == 2);
  CHECK(kc[1].tactics.size() == 4);
  CHECK(kc[1].tactics.back() == "command-and-control");
}

TEST_CASE_METHOD(fixture, "late findings are counted and still scored") {
  auto e = spawn_entity();
  caf::anon_send(e, message({finding("new", t0 + 2 * hour, "high")}));
  caf::anon_send(e, message({finding("old", t0, "critical")}));  // 2 h behind: late
  run();
  CHECK(metrics.get_counter("late_events", {{"stage", "correlation"}}).value() == 1);
  const auto view = nlohmann::json::parse(ask<std::string>(e, messages::inspect_atom::value));
  CHECK(view["correlation"]["late_findings"] == 1);
  // 20 + 40 * 2^(-1/2)
  CHECK(view["correlation"]["risk"].get<double>() == Approx(48.28).margin(0.01));
}

TEST_CASE_METHOD(fixture, "correlation state survives passivation through the directory") {
  actors::directory_options o;
  o.max_live = 1;  // a second entity pushes the first out
  auto dir = sys->spawn(actors::directory_actor_impl, &ctx, o);
  to_stop.push_back(caf::actor_cast<caf::actor>(dir));
  run();
  auto routed = [](messages::entity_message m) {
    messages::routed_batch b;
    b.entities.push_back(std::move(m.delivery));
    return b;
  };
  caf::anon_send(dir, routed(message({finding("a", t0, "critical", {"credential-access"})})));
  run();
  caf::anon_send(dir, routed(message({finding("x", t0, "low")}, "other-host")));
  run();
  CHECK(ask<actors::directory_counts>(dir, messages::stats_atom::value) ==
        actors::directory_counts{0, 0, 1, 1});
  const auto key = model::entity_key(host().id);
  auto passive = nlohmann::json::parse(
      ask<std::string>(dir, messages::inspect_atom::value, std::string("entity"), key));
  CHECK(passive["actor"] == "passive");
  CHECK(passive["correlation"]["risk"] == 40.0);
  CHECK(passive["correlation"]["tactics"].size() == 1);
  CHECK(raised("risk").empty());
  // Revived from its snapshot: 40 + 20 crosses; a fresh state would not have.
  caf::anon_send(dir, routed(message({finding("b", t0 + sec, "high", {"execution"})})));
  run();
  CHECK(metrics.get_counter("directory_revivals").value() == 1);
  REQUIRE(raised("risk").size() == 1);
  auto live = nlohmann::json::parse(
      ask<std::string>(dir, messages::inspect_atom::value, std::string("entity"), key));
  CHECK(live["actor"] == "live");
  CHECK(live["correlation"]["findings"] == 2);
  CHECK(live["correlation"]["tactics"].size() == 2);
}

namespace {

// Three failures from one address within a minute: a correlation the address's actor owns.
std::shared_ptr<const rules::rule_set> brute_rules() {
  auto rs = std::make_shared<rules::rule_set>();
  rs->add_yaml(R"(
title: fail
name: fail
id: 30000000-0000-4000-8000-000000000001
logsource: {product: linux}
detection:
  sel: {outcome: failure}
  condition: sel
---
title: brute
name: brute
id: 30000000-0000-4000-8000-000000000002
tags: [attack.credential-access, attack.t1110]
level: high
correlation:
  type: event_count
  rules: [fail]
  group-by: [src_ip]
  timespan: 1m
  condition: {gte: 3}
)",
               "brute.yml");
  rs->finalize();
  return rs;
}

model::entity_ref address(const std::string& v = "198.51.100.23") {
  model::entity_ref r;
  r.type = model::entity_type::ip;
  r.value = v;
  r.id = parse::uuid5(parse::entity_namespace(r.type), v);
  return r;
}

messages::entity_message routed_failure(const rules::rule_set& rs, std::int64_t t,
                                        std::uint64_t seq) {
  const auto& c = rs.correlations().at(0);
  model::correlation_observation o;
  o.correlation = rules::correlation_key(c);
  o.signature = rules::correlation_signature(c);
  o.time_ns = t;
  o.seq = seq;
  o.group_values = {"198.51.100.23"};
  o.entities = {address()};
  messages::entity_message m;
  m.delivery.entity = address();
  m.delivery.source = "auth";
  m.delivery.correlations = {o};
  return m;
}

struct rules_installed {
  explicit rules_installed(std::shared_ptr<const rules::rule_set> rs) {
    actors::install_sigma_rules(std::move(rs));
  }
  ~rules_installed() { actors::install_sigma_rules(nullptr); }
};

}  // namespace

TEST_CASE_METHOD(fixture,
                 "an address's actor owns its Sigma correlation window, across passivation") {
  // settings: correlation on for ip, user, host, domain (the defaults)
  const auto rs = brute_rules();
  rules_installed installed(rs);
  actors::directory_options o;
  o.max_live = 1;  // a second entity pushes the address out
  o.correlation = actors::correlation_settings_from(settings);
  auto dir = sys->spawn(actors::directory_actor_impl, &ctx, o);
  to_stop.push_back(caf::actor_cast<caf::actor>(dir));
  run();
  auto routed = [](messages::entity_message m) {
    messages::routed_batch b;
    b.entities.push_back(std::move(m.delivery));
    return b;
  };
  // Two failures from two sources' batches, then the address is passivated.
  caf::anon_send(dir, routed(routed_failure(*rs, t0, 1)));
  caf::anon_send(dir, routed(routed_failure(*rs, t0 + sec, 2)));
  run();
  CHECK(raised("correlation").empty());
  const auto key = model::entity_key(address().id);
  auto live = nlohmann::json::parse(
      ask<std::string>(dir, messages::inspect_atom::value, std::string("entity"), key));
  REQUIRE(live["sigma_correlations"].size() == 1);
  CHECK(live["sigma_correlations"][0]["matches"] == 2);
  caf::anon_send(dir, routed(message({finding("x", t0, "low")}, "other-host")));
  run();
  auto passive = nlohmann::json::parse(
      ask<std::string>(dir, messages::inspect_atom::value, std::string("entity"), key));
  CHECK(passive["actor"] == "passive");
  // The third failure revives it: its two earlier matches were kept, so the brute force fires,
  // from the entity actor, and counts as a finding for the address's risk and kill chain.
  caf::anon_send(dir, routed(routed_failure(*rs, t0 + 2 * sec, 3)));
  run();
  const auto corr = raised("correlation");
  REQUIRE(corr.size() == 1);
  CHECK(corr[0].title == "brute");
  CHECK(corr[0].source == "auth");
  CHECK(corr[0].event_seqs == std::vector<std::uint64_t>{3});
  CHECK(corr[0].dedup_key == "30000000-0000-4000-8000-000000000002|198.51.100.23");
  live = nlohmann::json::parse(
      ask<std::string>(dir, messages::inspect_atom::value, std::string("entity"), key));
  CHECK(live["actor"] == "live");
  CHECK(live["correlation"]["findings"] == 1);
  CHECK(live["correlation"]["tactics"].size() == 1);
  CHECK(live["sigma_correlations"].empty());
}

namespace {

model::entity_ref user(const std::string& v = "root") {
  model::entity_ref r;
  r.type = model::entity_type::user;
  r.value = v;
  r.id = parse::uuid5(parse::entity_namespace(r.type), v);
  return r;
}

// One batch of source "auth" (number 7): three failures from the address, by root (events 1-3),
// routed to the address's actor; root's own delivery carries a critical Sigma finding of event
// 5 and, as the source announces on both deliveries, waits for the address's verdict.
messages::routed_batch brute_batch(const rules::rule_set& rs, bool with_own_finding) {
  messages::routed_batch b;
  model::entity_delivery addr;
  addr.entity = address();
  addr.source = "auth";
  addr.batch = 7;
  for (std::uint64_t seq = 1; seq <= 3; ++seq) {
    auto m = routed_failure(rs, t0 + std::int64_t(seq) * sec, seq);
    m.delivery.correlations[0].entities = {address(), user()};
    addr.correlations.push_back(m.delivery.correlations[0]);
  }
  model::entity_delivery root;
  root.entity = user();
  root.source = "auth";
  root.batch = 7;
  root.awaiting = {model::entity_key(address().id)};
  addr.verdict_to = {model::entity_key(user().id)};
  if (with_own_finding) {
    auto f = finding("late-hit", t0 + 5 * sec, "critical");
    f.event_seqs = {5};
    root.findings = {f};
  }
  b.entities = {std::move(addr), std::move(root)};
  return b;
}

actors::directory_actor spawn_directory(fixture& fx) {
  actors::directory_options o;
  o.correlation = actors::correlation_settings_from(fx.settings);
  auto dir = fx.sys->spawn(actors::directory_actor_impl, &fx.ctx, o);
  fx.to_stop.push_back(caf::actor_cast<caf::actor>(dir));
  // Verdicts travel through the directory the entity actors find in the registry.
  fx.registry->put({"directory", "directory", "", "local", 1}, caf::actor_cast<caf::actor>(dir));
  fx.run();
  return dir;
}

// Root's entity actor as the directory's inspect shows it.
nlohmann::json root_view(fixture& fx, const actors::directory_actor& dir) {
  return nlohmann::json::parse(fx.ask<std::string>(
      dir, messages::inspect_atom::value, std::string("entity"), model::entity_key(user().id)));
}

// The order brute_batch must come out in: the brute force (event 3, 25 points) reaches root
// before root's own critical hit (event 5, 40 points), so the risk crosses 50 at event 5, with
// both as contributors in event order, and nothing was applied without its verdict.
void check_brute_then_hit(fixture& fx) {
  const auto risk = fx.raised("risk");
  REQUIRE(risk.size() == 1);
  CHECK(risk[0].entities.at(0).value == "root");
  CHECK(risk[0].time_ns == t0 + 5 * sec);
  const auto details = nlohmann::json::parse(risk[0].details_json);
  REQUIRE(details["contributors"].size() == 2);
  CHECK(details["contributors"][0]["kind"] == "correlation");
  CHECK(details["contributors"][1]["alert"] == "late-hit");
  CHECK(fx.metrics.get_counter("sigma_correlation_verdicts_overdue").value() == 0);
}

}  // namespace

TEST_CASE_METHOD(fixture,
                 "a peer's findings wait for the correlation verdict of their batch, then apply "
                 "in event order") {
  const auto rs = brute_rules();
  rules_installed installed(rs);
  auto dir = spawn_directory(*this);
  caf::anon_send(dir, brute_batch(*rs, true));
  run();
  // Root's delivery came before the address's verdict, and waited for it.
  REQUIRE(raised("correlation").size() == 1);
  check_brute_then_hit(*this);
  const auto root = root_view(*this, dir);
  CHECK(root["correlation"]["findings"] == 2);
}

TEST_CASE_METHOD(fixture, "an empty verdict releases the findings that waited for it") {
  const auto rs = brute_rules();
  rules_installed installed(rs);
  auto dir = spawn_directory(*this);
  // Two failures only: the correlation does not fire, the address still answers.
  auto b = brute_batch(*rs, true);
  b.entities[0].correlations.pop_back();
  caf::anon_send(dir, std::move(b));
  run();
  CHECK(raised("correlation").empty());
  const auto root = root_view(*this, dir);
  CHECK(root["correlation"]["findings"] == 1);
  CHECK(metrics.get_counter("sigma_correlation_verdicts_overdue").value() == 0);
}

TEST_CASE_METHOD(fixture,
                 "a verdict that overtakes the peer's delivery (as across cluster nodes) waits "
                 "for it") {
  const auto rs = brute_rules();
  rules_installed installed(rs);
  auto dir = spawn_directory(*this);
  // The address's delivery first, alone: its verdict reaches root before root's own delivery,
  // as when the two travel through different nodes.
  auto b = brute_batch(*rs, true);
  messages::routed_batch first, second;
  first.entities.push_back(std::move(b.entities[0]));
  second.entities.push_back(std::move(b.entities[1]));
  caf::anon_send(dir, std::move(first));
  run();
  REQUIRE(raised("correlation").size() == 1);
  CHECK(raised("risk").empty());
  auto root = root_view(*this, dir);
  CHECK(root["held_findings"]["early_verdicts"] == 1);
  CHECK(root["correlation"]["findings"] == 0);
  caf::anon_send(dir, std::move(second));
  run();
  // The same as in order.
  check_brute_then_hit(*this);
  root = root_view(*this, dir);
  CHECK(root["held_findings"]["early_verdicts"] == 0);
  CHECK(root["held_findings"]["blocks"] == 0);
}
