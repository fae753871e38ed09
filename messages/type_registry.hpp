#pragma once
// The one place where message types are registered with CAF. Both ends of a remote link must
// register identical names (STACK.md pitfall 3), so every node calls this before creating its
// actor_system.
namespace caf {
class actor_system_config;
}

namespace seerflow::messages {

void register_message_types(caf::actor_system_config& cfg);

}  // namespace seerflow::messages
