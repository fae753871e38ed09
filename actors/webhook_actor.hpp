#pragma once
// The webhook receiver actor (kind webhook): owns a webhook::webhook_server (one HTTP server,
// a route per configured endpoint) for as long as it lives; the server stops whenever the actor
// ends, letting requests in flight finish. With receivers.webhooks.enabled false, or no
// endpoints, the actor stays idle, so the default tree can always list it.
#include <chrono>
#include <functional>
#include <string>

#include <caf/stateful_actor.hpp>

#include "actors/server_owner.hpp"

#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

// `source` is the default source of endpoints that name none.
struct webhook_state : server_owner_state {
  bool tls = false;
  static inline const char* name = "webhook";
};

caf::behavior webhook_impl(caf::stateful_actor<webhook_state>* self, system::node_context* ctx,
                           std::string name, std::string source);

}  // namespace seerflow::actors
