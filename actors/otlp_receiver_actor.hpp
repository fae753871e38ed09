#pragma once
// OTLP receiver actors (kinds otlp_grpc and otlp_http): own an OTLP server (runtime/otlp) for as
// long as they live, like the syslog receivers: the server starts in the actor's initialisation,
// a port still held by a predecessor is retried for a few seconds, and the server stops however
// the actor ends. With its transport disabled in receivers.otlp the actor stays idle, so the
// default tree can always list it.
#include <chrono>
#include <functional>
#include <string>

#include <caf/stateful_actor.hpp>

#include "actors/server_owner.hpp"

#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

enum class otlp_transport { grpc, http };

struct otlp_receiver_state : server_owner_state {
  otlp_transport transport = otlp_transport::grpc;
  static inline const char* name = "otlp_receiver";
};

caf::behavior otlp_receiver_impl(caf::stateful_actor<otlp_receiver_state>* self,
                                 system::node_context* ctx, std::string name,
                                 otlp_transport transport, std::string source);

}  // namespace seerflow::actors
