#pragma once
// The inspection console of a node: an HTTP API and a web page served on the shared Beast server
// (runtime/net/http), behind a bearer token (runtime/console/console_token.hpp). Like the
// receivers, the actor owns its server for as long as it lives, so a restart rebinds the port.
//
//   GET  /                     the web console (the page holds no data; it calls the API)
//   GET  /api/health           status ("ok" or "degraded" with the problems), uptime, counters
//   GET  /api/actors           every registered actor: name, kind, parent, node, incarnation,
//                              restarts, mailbox (asked from each actor, bounded wait)
//   GET  /api/actor?name=N     one actor's own inspect view
//   POST /api/actor/restart?name=N
//                              kills the actor; its supervisor restarts it (operators,
//                              fault-injection tests)
//   GET  /api/entities?q=TEXT  entities whose value contains TEXT (store), with each one's live
//                              state from its entity actor when it is live
//   GET  /api/templates        templates (store), most events first; source=, limit=
//   GET  /api/sources          the inspect view of every source actor
//   GET  /api/alerts           alerts (store), newest first; kind=, entity=, rule=, limit=
//   GET  /api/cluster          membership (this node alone until the cluster exists)
//   GET  /metrics              the metrics registry in Prometheus text format
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <caf/stateful_actor.hpp>

#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct console_state {
  system::node_context* ctx = nullptr;
  std::string actor_name;
  std::uint16_t port = 0;
  std::function<void(std::function<void()>)> stop_server;
  std::shared_ptr<void> keep;  // the server and the thread running store reads
  bool started = false;
  static inline const char* name = "console";
};

caf::behavior console_impl(caf::stateful_actor<console_state>* self, system::node_context* ctx,
                           std::string name);

}  // namespace seerflow::actors
