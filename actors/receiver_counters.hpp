#pragma once
// The counters of one receiver (received, rejected by reason, dropped by reason...) as fields
// of its inspect view; every receiver kind shows them the same way.
#include <nlohmann/json.hpp>
#include <string>

#include "runtime/metrics/registry.hpp"

namespace seerflow::actors {

inline void add_receiver_counters(nlohmann::ordered_json& j, const metrics::registry& m,
                                  const std::string& receiver) {
  for (const auto& smp : m.snapshot()) {
    bool mine = false;
    std::string reason;
    for (const auto& [k, v] : smp.tags) {
      mine |= k == "receiver" && v == receiver;
      if (k == "reason") reason = v;
    }
    if (!mine) continue;
    if (reason.empty())
      j[smp.name] = smp.value;
    else
      j[smp.name][reason] = smp.value;
  }
}

}  // namespace seerflow::actors
