#pragma once
// Renders effective settings back to YAML (what `seerflow config show` prints). The output
// loads back to equal settings: durations and sizes use their human units, and a literal "${"
// in a string is written "$${" so interpolation leaves it alone.
#include <string>

#include "runtime/config/settings.hpp"

namespace seerflow::config {

std::string to_yaml(const settings& s);

}  // namespace seerflow::config
