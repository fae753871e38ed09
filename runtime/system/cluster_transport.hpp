#pragma once
// Node mode's transport: CAF's middleman with the OpenSSL module, set up on the actor system's
// configuration before the system exists (STACK.md pitfall 2). Kept in its own translation unit
// so CAF's io and OpenSSL headers stay out of the rest of the program.
#include "runtime/config/settings.hpp"

namespace caf {
class actor_system_config;
}

namespace seerflow::system {

void enable_cluster_transport(caf::actor_system_config& cfg, const config::cluster_settings& c);

}  // namespace seerflow::system
