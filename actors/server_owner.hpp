#pragma once
// The ordered stop every actor that owns an I/O server shares (syslog, OTLP, webhook receivers,
// the file tailer): stop reading, let what was read reach the source, then quit. The state needs
// `started`, `stopping` and `stop_server` (callable from any thread, runs its callback once the
// server has stopped).
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include "messages/atoms.hpp"
#include "runtime/system/actor_registry.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

// What every receiver that owns a network server keeps (syslog, OTLP and webhook receivers add
// their own fields by deriving from it).
struct server_owner_state {
  system::node_context* ctx = nullptr;
  std::string receiver_name;
  std::string source;
  std::uint16_t port = 0;
  std::function<void(std::function<void()>)> stop_server;  // callable from any thread
  bool started = false;
  bool stopping = false;
  bool bind_retry_logged = false;
  std::chrono::steady_clock::time_point bind_deadline;
};

// Once the server is bound: publishes its endpoint and ties the server to the actor, so that
// however the actor ends (ordered stop, kill, crash) the endpoint goes (nobody is told about a
// port no longer served) and the server stops, and a restarted receiver can rebind.
template <class Self>
void publish_server(Self* self, const std::string& protocol, const std::string& address) {
  auto& st = self->state;
  st.ctx->registry->add_endpoint({st.receiver_name, protocol, address, st.port});
  self->attach_functor([stop = st.stop_server, reg = st.ctx->registry, name = st.receiver_name] {
    reg->remove_endpoint(name);
    stop([] {});
  });
  st.started = true;
}

template <class Self>
void stop_owned_server(Self* self) {
  auto& s = self->state;
  if (s.stopping) return;
  s.stopping = true;
  if (!s.started) {
    self->quit();
    return;
  }
  auto me = caf::actor_cast<caf::actor>(self);
  s.stop_server([me] { caf::anon_send(me, messages::stopped_atom::value); });
}

}  // namespace seerflow::actors
