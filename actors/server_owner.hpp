#pragma once
// The ordered stop every actor that owns an I/O server shares (syslog, OTLP, webhook receivers,
// the file tailer): stop reading, let what was read reach the source, then quit. The state needs
// `started`, `stopping` and `stop_server` (callable from any thread, runs its callback once the
// server has stopped).
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

#include "messages/atoms.hpp"

namespace seerflow::actors {

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
