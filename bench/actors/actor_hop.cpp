// Micro benchmark of the actor layer as Seerflow uses it (sharing scheduler, 2 threads):
//   round_trip   request/response between two actors (the cost of one hop and back)
//   fan_out      routed batches through the real directory actor to N entity actors, credits
//                returned when every entity actor is done (the event path behind the source)
// Prints one JSON object.
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "actors/directory_actor.hpp"
#include "messages/inspect.hpp"
#include "messages/type_registry.hpp"
#include "runtime/parse/uuid5.hpp"
#include "runtime/system/actor_registry.hpp"

using namespace seerflow;
using clk = std::chrono::steady_clock;
using ping_atom = caf::atom_constant<caf::atom("ping")>;

namespace {

double round_trips_per_s(caf::actor_system& sys, int n) {
  auto pong = sys.spawn([](caf::event_based_actor*) -> caf::behavior {
    return {[](ping_atom, int x) { return x + 1; }};
  });
  caf::scoped_actor self{sys};
  // A driver actor avoids the scoped actor's blocking overhead per message.
  const auto t0 = clk::now();
  auto driver = sys.spawn([=](caf::event_based_actor* me) -> caf::behavior {
    auto left = std::make_shared<int>(n);
    auto step = std::make_shared<std::function<void(int)>>();
    *step = [=](int v) {
      if (--*left == 0) {
        me->quit();
        return;
      }
      me->request(pong, caf::infinite, ping_atom::value, v).then([=](int r) { (*step)(r); });
    };
    me->request(pong, caf::infinite, ping_atom::value, 0).then([=](int r) { (*step)(r); });
    return {[](caf::unit_t) {}};
  });
  self->wait_for(driver);
  const double s = std::chrono::duration<double>(clk::now() - t0).count();
  caf::anon_send_exit(pong, caf::exit_reason::user_shutdown);
  return n / s;
}

}  // namespace

int main(int argc, char** argv) {
  const int entities = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int batches = argc > 2 ? std::atoi(argv[2]) : 4000;
  const int per_batch = 512;

  caf::actor_system_config cfg;
  messages::register_message_types(cfg);
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", 2);
  caf::actor_system sys{cfg};

  nlohmann::ordered_json out;
  out["benchmark"] = "actor_hop";
  out["round_trips_per_s"] = round_trips_per_s(sys, 200000);

  metrics::registry metrics;
  config::settings settings;
  system::actor_registry registry(metrics);
  system::node_context ctx;
  ctx.sys = &sys;
  ctx.cfg = &settings;
  ctx.metrics = &metrics;
  ctx.registry = &registry;
  actors::directory_options o;
  o.max_live = static_cast<std::size_t>(entities) + 1000;
  auto dir = sys.spawn(actors::directory_actor_impl, &ctx, o);

  std::vector<model::entity_ref> refs(static_cast<std::size_t>(entities));
  for (int i = 0; i < entities; ++i) {
    refs[i].type = model::entity_type::ip;
    refs[i].value = "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
                    std::to_string(i % 256);
    refs[i].id = parse::uuid5(parse::entity_namespace(refs[i].type), refs[i].value);
  }
  auto gate = std::make_shared<ingest::credit_gate>(16);
  std::uint64_t deliveries = 0;
  const auto t0 = clk::now();
  for (int b = 0; b < batches; ++b) {
    gate->acquire_blocking();
    messages::routed_batch rb;
    rb.credit = ingest::make_credit_token(gate);
    // 512 events over ~64 distinct entities per batch, as a hot source produces.
    for (int d = 0; d < 64; ++d) {
      model::entity_delivery del;
      del.entity = refs[static_cast<std::size_t>((b * 64 + d) % entities)];
      for (int e = 0; e < per_batch / 64; ++e)
        del.observations.push_back({1'700'000'000'000'000'000LL + b,
                                    static_cast<std::uint64_t>(b * per_batch + d * 8 + e), 1});
      rb.entities.push_back(std::move(del));
      ++deliveries;
    }
    caf::anon_send(dir, std::move(rb));
  }
  gate->wait_idle(std::chrono::minutes(5));
  const double s = std::chrono::duration<double>(clk::now() - t0).count();
  out["fan_out_entities"] = entities;
  out["fan_out_batches"] = batches;
  out["fan_out_events_per_s"] = static_cast<double>(batches) * per_batch / s;
  out["fan_out_messages_per_s"] = static_cast<double>(deliveries) / s;
  caf::anon_send(dir, messages::shutdown_atom::value);
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
