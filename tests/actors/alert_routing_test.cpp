// The alert actor in `start` mode: a new alert goes to every configured sink actor once; a
// repeat inside its dedup window (per-rule override included) is counted on the first alert and
// not sent again; a sink that is not running is counted, never waited for.
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "actors/alert_actor.hpp"
#include "messages/inspect.hpp"
#include "tests/actors/test_system.hpp"

using namespace seerflow;
using namespace seerflow::actors;

namespace {

// Stands in for a sink actor: records what it is sent.
alert_sink_actor::behavior_type probe_sink(alert_sink_actor::pointer,
                                           std::shared_ptr<std::vector<model::alert>> got) {
  return {
      [=](model::alert& a) { got->push_back(std::move(a)); },
      [=](shutdown_atom) {},
      [=](inspect_atom) -> std::string { return "{}"; },
  };
}

model::alert alert_at(std::int64_t minute, std::string rule) {
  model::alert a;
  a.id = rule + "-" + std::to_string(minute);
  a.kind = "sigma";
  a.severity = "high";
  a.rule = std::move(rule);
  a.time_ns = minute * 60'000'000'000;
  a.entities = {{model::entity_type::host, "web-prod-01", {}}};
  return a;
}

// Asks `who` from a probe that runs on the test coordinator (a scoped actor would block it).
template <class Result, class Atom>
Result ask(test::test_system& t, const alert_actor& who, Atom atom) {
  Result out{};
  bool done = false;
  t.sys->spawn([&, atom](caf::event_based_actor* self) {
    self->request(who, caf::infinite, atom).then([&, self](const Result& r) {
      out = r;
      done = true;
      self->quit();
    });
  });
  t.run();
  REQUIRE(done);
  return out;
}

}  // namespace

TEST_CASE("alerts reach each sink once per dedup window; repeats count on the first") {
  test::test_system t;
  t.ctx.mode = system::run_mode::serve;
  config::sink_settings a, b;
  a.name = "one";
  a.type = "webhook";
  b.name = "two";
  b.type = "slack";
  t.settings.alerts.sinks = {a, b};
  t.settings.alerts.dedup_overrides = {"slow=2h"};
  auto got = std::make_shared<std::vector<model::alert>>();
  auto sink = t.sys->spawn(probe_sink, got);
  t.registry->put({"sink-one", "alert_sink", "sinks", "local"}, caf::actor_cast<caf::actor>(sink));
  auto alerts = t.sys->spawn(alert_actor_impl, &t.ctx);
  t.run();

  for (std::int64_t m : {0, 5, 10, 20, 30}) caf::anon_send(alerts, alert_at(m, "fast"));
  for (std::int64_t m : {0, 50, 100}) caf::anon_send(alerts, alert_at(m, "slow"));
  t.run();
  // fast: windows open at 0 and 20 (15 min default); slow: one 2 h window.
  std::vector<std::string> ids;
  for (const auto& x : *got) ids.push_back(x.id);
  CHECK(ids == std::vector<std::string>{"fast-0", "fast-20", "slow-0"});
  CHECK((*got)[0].dedup_key == "sigma|fast|web-prod-01");

  const auto kept = ask<std::vector<model::alert>>(t, alerts, alerts_atom::value);
  REQUIRE(kept.size() == 3);
  CHECK(kept[0].id == "fast-0");
  CHECK(kept[0].count == 3);  // 0, 5, 10
  CHECK(kept[1].id == "slow-0");
  CHECK(kept[1].count == 3);

  const auto state = ask<std::string>(t, alerts, inspect_atom::value);
  // Sink "two" is not running: each of the 3 alerts it missed is counted.
  CHECK(state.find("\"sink_missing\":3") != std::string::npos);
  CHECK(state.find("\"suppressed\":5") != std::string::npos);
  caf::anon_send_exit(alerts, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(sink, caf::exit_reason::user_shutdown);
}
