#pragma once
// The file-tail receiver actor (kind file_tail): owns a tail::file_tail_server for as long as it
// lives. The server stops whenever the actor ends (ordered shutdown, kill, crash) and writes its
// last checkpoint; a restarted incarnation resumes from that checkpoint. With
// receivers.files.enabled false the actor stays idle, so the default tree can always list it.
#include <functional>
#include <string>

#include <caf/stateful_actor.hpp>

#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct file_tail_state {
  system::node_context* ctx = nullptr;
  std::string receiver_name;
  std::string source;
  std::string checkpoint_path;
  std::function<void(std::function<void()>)> stop_server;  // callable from any thread
  bool started = false;
  bool stopping = false;
  static inline const char* name = "file_tail";
};

caf::behavior file_tail_impl(caf::stateful_actor<file_tail_state>* self, system::node_context* ctx,
                             std::string name, std::string source);

}  // namespace seerflow::actors
