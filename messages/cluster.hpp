#pragma once
// The data messages between cluster nodes (besides routed_batch, which crosses as it is).
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/cluster/membership.hpp"

namespace seerflow::messages {

// The state of one template or entity id that now belongs to another node: its actor's
// passivation snapshot ("" when the old owner had none, so the new owner starts fresh).
struct handover_item {
  bool entity = false;
  std::uint64_t key = 0;
  std::string snapshot;
};

}  // namespace seerflow::messages
