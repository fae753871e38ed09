// The directory, deterministically: virtual entity and template actors spawned on first sight,
// passivated beyond the live bound or when idle, revived with their state, and credits returned
// only when every destination actor is done.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <caf/scoped_actor.hpp>

#include "actors/directory_actor.hpp"
#include "messages/inspect.hpp"
#include "runtime/parse/uuid5.hpp"
#include "tests/actors/test_system.hpp"

using namespace seerflow;

namespace {

model::entity_ref ip(const std::string& v) {
  model::entity_ref r;
  r.type = model::entity_type::ip;
  r.value = v;
  r.id = parse::uuid5(parse::entity_namespace(r.type), v);
  return r;
}

messages::routed_batch batch_for(const std::vector<std::string>& ips, std::int64_t t,
                                 ingest::credit_token credit = nullptr) {
  messages::routed_batch b;
  b.credit = std::move(credit);
  std::uint64_t seq = 0;
  for (const auto& v : ips) {
    model::entity_delivery d;
    d.entity = ip(v);
    d.source = "test";
    d.observations.push_back({t, ++seq, 42});
    b.entities.push_back(std::move(d));
  }
  model::template_delivery td;
  td.template_id = 42;
  td.source = "test";
  td.text = "login from <*>";
  td.times.assign(ips.size(), t);
  b.templates.push_back(std::move(td));
  return b;
}

struct fixture : test::test_system {
  actors::directory_actor dir;

  // The actor system waits for every actor when it goes: stop the directory (and its
  // children with it) first.
  ~fixture() {
    if (dir) caf::anon_send_exit(dir, caf::exit_reason::kill);
    run();
  }

  void spawn_directory(std::size_t max_live, std::size_t max_passive = 1000) {
    actors::directory_options o;
    o.max_live = max_live;
    o.max_passive = max_passive;
    o.idle = std::chrono::minutes(5);
    o.sweep_interval = std::chrono::seconds(10);
    dir = sys->spawn(actors::directory_actor_impl, &ctx, o);
    run();
  }

  // Asks the directory and returns its answer (the probe actor runs on the test coordinator).
  template <class Result, class... Ts>
  Result ask(Ts... xs) {
    Result out{};
    bool done = false;
    auto probe = sys->spawn([&, xs...](caf::event_based_actor* self) {
      self->request(dir, caf::infinite, xs...).then([&, self](const Result& r) {
        out = r;
        done = true;
        self->quit();
      });
    });
    run();
    REQUIRE(done);
    return out;
  }

  actors::directory_counts counts() {
    return ask<actors::directory_counts>(messages::stats_atom::value);
  }

  nlohmann::json entity_state(const std::string& v) {
    auto s = ask<std::string>(messages::inspect_atom::value, std::string("entity"),
                              model::entity_key(ip(v).id));
    return s.empty() ? nlohmann::json() : nlohmann::json::parse(s);
  }
};

}  // namespace

TEST_CASE_METHOD(fixture, "entities and templates get one actor each on first sight") {
  spawn_directory(100);
  caf::anon_send(dir, batch_for({"10.0.0.1", "10.0.0.2", "10.0.0.3"}, 1000));
  run();
  CHECK(counts() == actors::directory_counts{1, 0, 3, 0});
  CHECK(metrics.get_gauge("directory_known", {{"kind", "entity"}}).value() == 3);
  CHECK(metrics.get_gauge("directory_known", {{"kind", "template"}}).value() == 1);
}

TEST_CASE_METHOD(fixture, "beyond max_live the least recently used actors passivate") {
  spawn_directory(3);
  caf::anon_send(dir, batch_for({"10.0.0.1", "10.0.0.2"}, 1000));
  run();
  caf::anon_send(dir, batch_for({"10.0.0.3", "10.0.0.4"}, 2000));
  run();
  // 1 template + 4 entities = 5 live wanted, 3 allowed: the two oldest entities passivate.
  CHECK(counts() == actors::directory_counts{1, 0, 2, 2});
  CHECK(metrics.get_counter("directory_passivations").value() == 2);
}

TEST_CASE_METHOD(fixture, "a passivated entity is revived with its state on the next delivery") {
  spawn_directory(2);
  caf::anon_send(dir, batch_for({"10.0.0.1"}, 1000));
  run();
  caf::anon_send(dir, batch_for({"10.0.0.2"}, 2000));  // pushes 10.0.0.1 (older) out
  run();
  CHECK(counts() == actors::directory_counts{1, 0, 1, 1});
  auto passive = entity_state("10.0.0.1");
  CHECK(passive["actor"] == "passive");
  CHECK(passive["events"] == 1);
  caf::anon_send(dir, batch_for({"10.0.0.1"}, 3000));
  run();
  CHECK(metrics.get_counter("directory_revivals").value() == 1);
  auto live = entity_state("10.0.0.1");
  CHECK(live["actor"] == "live");
  CHECK(live["events"] == 2);
  CHECK(live["value"] == "10.0.0.1");
  CHECK(live["window_size"] == 2);
  CHECK(entity_state("10.9.9.9").is_null());
}

TEST_CASE_METHOD(fixture, "idle actors passivate on the sweep timer") {
  spawn_directory(100);
  caf::anon_send(dir, batch_for({"10.0.0.1", "10.0.0.2"}, 1000));
  run();
  advance(std::chrono::minutes(6));
  run();
  CHECK(counts() == actors::directory_counts{0, 1, 0, 2});
}

TEST_CASE_METHOD(fixture, "passive snapshots beyond max_passive are evicted and counted") {
  spawn_directory(1, 2);
  caf::anon_send(dir, batch_for({"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"}, 1000));
  run();
  auto c = counts();
  CHECK(c[0] + c[2] == 1);  // one live actor in all
  CHECK(c[1] + c[3] <= 2);  // at most two snapshots per kind table kept
  CHECK(metrics.get_counter("directory_snapshot_evictions").value() >= 1);
}

TEST_CASE_METHOD(fixture, "credits come back only when every destination actor is done") {
  spawn_directory(100);
  auto gate = std::make_shared<ingest::credit_gate>(4);
  REQUIRE(gate->try_acquire());
  caf::anon_send(dir, batch_for({"10.0.0.1", "10.0.0.2"}, 1000, ingest::make_credit_token(gate)));
  CHECK(gate->in_flight() == 1);
  sched->run_once();  // the directory forwards; the entity and template actors have not run yet
  CHECK(gate->in_flight() == 1);
  run();
  CHECK(gate->in_flight() == 0);
}

TEST_CASE_METHOD(fixture, "a crashed entity actor is revived on its next delivery") {
  spawn_directory(100);
  caf::anon_send(dir, batch_for({"10.0.0.1"}, 1000));
  run();
  const auto key = model::entity_key(ip("10.0.0.1").id);
  CHECK(ask<bool>(messages::restart_atom::value, std::string("entity"), key));
  run();
  CHECK(metrics.get_counter("directory_child_failures").value() == 1);
  CHECK(counts() == actors::directory_counts{1, 0, 0, 1});
  caf::anon_send(dir, batch_for({"10.0.0.1"}, 2000));
  run();
  CHECK(counts() == actors::directory_counts{1, 0, 1, 0});
  // Its state died with it (nothing had been snapshotted since it started).
  CHECK(entity_state("10.0.0.1")["events"] == 1);
  CHECK_FALSE(ask<bool>(messages::restart_atom::value, std::string("entity"), std::uint64_t{7}));
}

TEST_CASE_METHOD(fixture, "shutdown stops every child and then the directory") {
  spawn_directory(100);
  caf::anon_send(dir, batch_for({"10.0.0.1", "10.0.0.2"}, 1000));
  run();
  bool exited = false;
  dir->attach_functor([&](const caf::error&) { exited = true; });
  caf::anon_send(dir, messages::shutdown_atom::value);
  run();
  CHECK(exited);
}
