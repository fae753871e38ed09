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

#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

enum class receiver_protocol { udp, tcp };

struct receiver_state {
  system::node_context* ctx = nullptr;
  std::string receiver_name;
  std::string source;
  receiver_protocol protocol = receiver_protocol::udp;
  std::uint16_t port = 0;
  std::function<void(std::function<void()>)> stop_server;  // callable from any thread
  bool started = false;
  bool bind_retry_logged = false;
  bool stopping = false;
  std::chrono::steady_clock::time_point bind_deadline;
  static inline const char* name = "receiver";
};

caf::behavior syslog_receiver_impl(caf::stateful_actor<receiver_state>* self,
                                   system::node_context* ctx, std::string name,
                                   receiver_protocol protocol, std::string source);

}  // namespace seerflow::actors
