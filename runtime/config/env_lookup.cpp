#include "runtime/config/env_lookup.hpp"

#include <cstdlib>

namespace seerflow::config {

env_lookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (const char* v = std::getenv(name.c_str())) return std::string(v);
    return std::nullopt;
  };
}

}  // namespace seerflow::config
