#pragma once
// The sink actor: a thin shell over runtime/notify's delivery engine for one `alerts.sinks`
// entry. It runs detached because opening the delivery queue (SQLite) may wait for a lock.
#include <cstdint>
#include <memory>
#include <string>

#include "actors/actors.hpp"
#include "runtime/notify/delivery_engine.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct alert_sink_state {
  std::unique_ptr<notify::delivery_engine> engine;
  std::uint64_t received = 0, filtered_out = 0;
  static inline const char* name = "alert_sink";
};

// Throws std::runtime_error when `sink_name` is not in alerts.sinks.
alert_sink_actor::behavior_type alert_sink_impl(
    alert_sink_actor::stateful_pointer<alert_sink_state> self, system::node_context* ctx,
    std::string sink_name);

}  // namespace seerflow::actors
