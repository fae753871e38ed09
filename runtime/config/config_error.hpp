#pragma once
// One configuration problem, located in its file. The loader collects all of them in one pass
// so a user fixes a config in one round trip; `seerflow validate-config` prints one per line.
#include <string>

#include "runtime/config/settings.hpp"

namespace seerflow::config {

struct config_error {
  location where;   // line 0 = no position (the file as a whole)
  std::string key;  // dotted key path ("receivers.syslog.udp.port"); empty when none applies
  std::string message;

  bool operator==(const config_error&) const = default;
};

// "file:line:column: key.path: message"; the position is left out when line is 0 and the key
// when it is empty.
std::string to_string(const config_error& e);

}  // namespace seerflow::config
