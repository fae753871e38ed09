#pragma once
// The webhook receiver actor (kind webhook): owns a webhook::webhook_server (one HTTP server,
// a route per configured endpoint) for as long as it lives; the server stops whenever the actor
// ends, letting requests in flight finish. With receivers.webhooks.enabled false, or no
// endpoints, the actor stays idle, so the default tree can always list it.
#include <chrono>
#include <functional>
#include <string>

#include <caf/stateful_actor.hpp>

#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct webhook_state {
  system::node_context* ctx = nullptr;
  std::string receiver_name;
  std::string source;  // default source of endpoints that name none
  std::uint16_t port = 0;
  bool tls = false;
  std::function<void(std::function<void()>)> stop_server;  // callable from any thread
  bool started = false;
  bool stopping = false;
  bool bind_retry_logged = false;
  std::chrono::steady_clock::time_point bind_deadline;
  static inline const char* name = "webhook";
};

caf::behavior webhook_impl(caf::stateful_actor<webhook_state>* self, system::node_context* ctx,
                           std::string name, std::string source);

}  // namespace seerflow::actors
