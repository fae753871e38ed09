// The graph actor, deterministically: relations folded in from source batches, a run on
// request answering JSON, ego graphs, findings delivered to the alert actor, the timer running
// only when something changed, and the snapshot stashed for the next incarnation.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "actors/alert_actor.hpp"
#include "actors/graph_actor.hpp"
#include "messages/inspect.hpp"
#include "runtime/parse/uuid5.hpp"
#include "tests/actors/test_system.hpp"

using namespace seerflow;

namespace {

model::entity_ref ref(model::entity_type t, const std::string& v) {
  model::entity_ref r;
  r.type = t;
  r.value = v;
  r.id = parse::uuid5(parse::entity_namespace(t), v);
  return r;
}

std::vector<model::edge_observation> logins(const std::string& host, int users, std::int64_t t) {
  std::vector<model::edge_observation> out;
  for (int i = 0; i < users; ++i)
    out.push_back({ref(model::entity_type::user, "u" + std::to_string(i)),
                   ref(model::entity_type::host, host), model::edge_type::logged_into, t, t, 1});
  return out;
}

struct fixture : test::test_system {
  actors::graph_actor graph;
  actors::alert_actor alerts;

  fixture() {
    settings.graph.fanout_min_runs = 2;
    settings.graph.betweenness_threshold = 1.0;  // only fan-out findings here
    ctx.mode = system::run_mode::analyze;        // no store: nothing to restore or save
  }
  ~fixture() {
    if (graph) caf::anon_send_exit(graph, caf::exit_reason::kill);
    if (alerts) caf::anon_send_exit(alerts, caf::exit_reason::kill);
    run();
  }

  void spawn() {
    alerts = sys->spawn(actors::alert_actor_impl, &ctx);
    registry->put({"alerts", "alerts", "", "", 1}, caf::actor_cast<caf::actor>(alerts));
    graph = sys->spawn(actors::graph_actor_impl, &ctx);
    run();
  }

  template <class Result, class Handle, class... Ts>
  Result ask(const Handle& h, Ts... xs) {
    Result out{};
    bool done = false;
    auto probe = sys->spawn([&, xs...](caf::event_based_actor* self) {
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
};

}  // namespace

TEST_CASE_METHOD(fixture, "graph actor: relations in, a run on request, ego graph, inspect") {
  spawn();
  caf::anon_send(graph, messages::graph_atom::value, logins("web-prod-01", 3, 100));
  caf::anon_send(graph, messages::graph_atom::value, logins("db-prod-01", 1, 200));
  run();
  const auto j = nlohmann::json::parse(ask<std::string>(graph, messages::analyze_atom::value));
  CHECK(j["nodes"] == 5);
  CHECK(j["edges"] == 4);
  CHECK(j["top"][0]["value"] == "web-prod-01");
  CHECK(j["top"][0]["fan_in"] == 3);
  const auto ego = nlohmann::json::parse(ask<std::string>(
      graph, messages::analyze_atom::value, std::string("db-prod-01"), std::uint32_t{2}));
  CHECK(ego["vertices"].size() == 3);  // db-prod-01, u0, web-prod-01
  CHECK(ask<std::string>(graph, messages::analyze_atom::value, std::string("nobody"),
                         std::uint32_t{2})
            .empty());
  const auto in = nlohmann::json::parse(ask<std::string>(graph, messages::inspect_atom::value));
  CHECK(in["batches"] == 2);
  CHECK(in["observations"] == 4);
  CHECK(in["runs"] == 1);
  CHECK(in["last_run"]["vertices"] == 5);
}

TEST_CASE_METHOD(fixture, "graph actor: the timer runs only after changes; findings reach alerts") {
  spawn();
  const auto interval = std::chrono::milliseconds(settings.graph.interval_ms);
  // Two runs of history: u0 logged into one host.
  for (int run_no = 0; run_no < 2; ++run_no) {
    caf::anon_send(graph, messages::graph_atom::value, logins("h0", 1, 10 + run_no));
    run();
    advance(interval);
    run();
  }
  advance(interval);  // nothing new: no run
  run();
  auto in = nlohmann::json::parse(ask<std::string>(graph, messages::inspect_atom::value));
  CHECK(in["runs"] == 2);
  // u0 suddenly logs into 12 hosts: a fan-out finding, delivered to the alert actor.
  std::vector<model::edge_observation> burst;
  for (int h = 0; h < 12; ++h)
    burst.push_back({ref(model::entity_type::user, "u0"),
                     ref(model::entity_type::host, "h" + std::to_string(h)),
                     model::edge_type::logged_into, 50, 50, 1});
  caf::anon_send(graph, messages::graph_atom::value, burst);
  run();
  advance(interval);
  run();
  const auto list = ask<std::vector<model::alert>>(alerts, messages::alerts_atom::value);
  REQUIRE(list.size() == 1);
  CHECK(list[0].kind == "graph");
  CHECK(list[0].rule == "graph.fan_out");
  CHECK(list[0].entities.at(0).value == "u0");
  CHECK(list[0].time_ns == 50);
  in = nlohmann::json::parse(ask<std::string>(graph, messages::inspect_atom::value));
  CHECK(in["findings"] == 1);
}
