#include "runtime/config/config_error.hpp"

namespace seerflow::config {

std::string to_string(const config_error& e) {
  std::string out = e.where.file.empty() ? std::string("<config>") : e.where.file;
  if (e.where.line > 0) {
    out += ':';
    out += std::to_string(e.where.line);
    out += ':';
    out += std::to_string(e.where.column);
  }
  out += ": ";
  if (!e.key.empty()) {
    out += e.key;
    out += ": ";
  }
  out += e.message;
  return out;
}

}  // namespace seerflow::config
