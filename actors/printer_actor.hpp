#pragma once
// The sink of `seerflow analyze`: prints each event (and each rejected record, at its place in
// the input) as one NDJSON line, in input order. Runs detached because it writes to a FILE*.
#include <cstdint>
#include <cstdio>

#include "actors/actors.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct printer_actor_state {
  std::FILE* out = nullptr;
  std::uint64_t events = 0;
  std::uint64_t rejected = 0;
  static inline const char* name = "printer";
};

sink_actor::behavior_type printer_actor_impl(sink_actor::stateful_pointer<printer_actor_state> self,
                                             system::node_context* ctx);

}  // namespace seerflow::actors
