#pragma once
// Everything an actor of this node may need beyond its own state, handed to every spawn
// function by pointer. It lives in the app for the whole life of the actor system.
#include <cstdio>
#include <optional>

#include "runtime/config/settings.hpp"
#include "runtime/metrics/registry.hpp"
#include "runtime/system/actor_registry.hpp"

namespace boost::asio {
class io_context;
}
namespace caf {
class actor_system;
}

namespace seerflow::system {

enum class run_mode { serve, analyze };

struct analyze_options {
  std::FILE* out = stdout;  // NDJSON destination
  std::optional<int> year;  // year of the first record, for year-less timestamps
};

struct node_context {
  caf::actor_system* sys = nullptr;
  const config::settings* cfg = nullptr;
  boost::asio::io_context* io = nullptr;
  metrics::registry* metrics = nullptr;
  actor_registry* registry = nullptr;
  run_mode mode = run_mode::serve;
  analyze_options analyze;
};

}  // namespace seerflow::system
