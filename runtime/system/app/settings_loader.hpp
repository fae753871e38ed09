#pragma once
// Loads settings for a command: the file when given, else the built-in defaults; prints every
// configuration error (file:line:column: key: message) to stderr and checks the supervision tree
// against the actor catalog.
#include <optional>
#include <string>

#include "runtime/config/settings.hpp"

namespace seerflow::app {

std::optional<config::settings> load_settings_or_report(const std::string& config_file);

}  // namespace seerflow::app
