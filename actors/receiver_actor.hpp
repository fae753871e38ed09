#pragma once
// Receiver actors own an Asio coroutine server (runtime/net) for as long as they live: the server
// starts in the actor's initialisation (a bind failure fails the actor, and its supervisor
// decides), and stops whenever the actor ends — ordered shutdown, a kill, a crash — so a
// restarted receiver rebinds its port and traffic resumes.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <caf/stateful_actor.hpp>

#include "actors/server_owner.hpp"

#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

enum class receiver_protocol { udp, tcp };

struct receiver_state : server_owner_state {
  receiver_protocol protocol = receiver_protocol::udp;
  bool enabled = true;  // receivers.syslog.<protocol>.enabled: false leaves the actor idle
  static inline const char* name = "receiver";
};

caf::behavior syslog_receiver_impl(caf::stateful_actor<receiver_state>* self,
                                   system::node_context* ctx, std::string name,
                                   receiver_protocol protocol, std::string source);

}  // namespace seerflow::actors
