#pragma once
// The client side of a node's console API, for `seerflow status` and `seerflow console`: finds
// the node (its endpoints.json in the data directory, else the configured address), its token
// (--token, console.token, else <data_dir>/console.token), and makes plain HTTP/1.1 requests.
#include <chrono>
#include <optional>
#include <string>

#include "runtime/config/settings.hpp"

namespace seerflow::app {

struct console_target {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string token;
};

struct console_reply {
  int status = 0;  // 0: no answer (error says why)
  std::string body;
  std::string error;
};

// `url` ("http://host:port") and `token` override what the settings and data directory say.
// nullopt with `why` set when no console can be found.
std::optional<console_target> find_console(const config::settings& cfg, const std::string& url,
                                           const std::string& token, std::string& why);

console_reply console_get(const console_target& t, const std::string& target,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

}  // namespace seerflow::app
