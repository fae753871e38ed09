#pragma once
// One outbound HTTP POST as the payload builders produce it: the delivery engine sends it as is.
#include <string>
#include <utility>
#include <vector>

namespace seerflow::notify {

struct http_request {
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // name, value
  std::string body;
};

}  // namespace seerflow::notify
