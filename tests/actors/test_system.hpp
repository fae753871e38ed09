#pragma once
// A deterministic actor system for tests: CAF's test coordinator runs every actor on the test's
// thread, one message at a time, and its clock only moves when the test says so.
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <memory>

#include "messages/type_registry.hpp"
#include "runtime/config/settings.hpp"
#include "runtime/metrics/registry.hpp"
#include "runtime/system/actor_registry.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::test {

struct test_system {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::scheduler::test_coordinator* sched = nullptr;
  metrics::registry metrics;
  std::unique_ptr<system::actor_registry> registry;
  config::settings settings;
  system::node_context ctx;

  test_system() {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    messages::register_message_types(cfg);
    sys = std::make_unique<caf::actor_system>(cfg);
    sched = &dynamic_cast<caf::scheduler::test_coordinator&>(sys->scheduler());
    registry = std::make_unique<system::actor_registry>(metrics, 4);
    ctx.sys = sys.get();
    ctx.cfg = &settings;
    ctx.metrics = &metrics;
    ctx.registry = registry.get();
  }

  ~test_system() {
    sched->run();
    registry.reset();
  }

  // Runs every queued message; returns how many were processed.
  std::size_t run() { return sched->run(); }
  void advance(std::chrono::milliseconds d) {
    sched->clock().current_time += d;
    sched->trigger_timeouts();
  }
};

}  // namespace seerflow::test
