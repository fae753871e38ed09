#pragma once
// How configuration reads environment variables. Loading takes the lookup as a parameter so
// tests (and `seerflow validate-config` against another environment) never touch the process
// environment.
#include <functional>
#include <optional>
#include <string>

namespace seerflow::config {

using env_lookup = std::function<std::optional<std::string>(const std::string&)>;

// Reads the process environment (getenv) at the time of each lookup.
env_lookup process_env();

}  // namespace seerflow::config
