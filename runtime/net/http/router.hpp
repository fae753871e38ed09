#pragma once
// Routes by method and exact path to coroutine handlers. Exact paths only: every endpoint we
// serve (webhook paths, /v1/logs, the console API) is configured or fixed, and exact matching
// leaves no question about which handler a hostile path reaches.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/net/http/http_message.hpp"
#include "runtime/util/asio_fwd.hpp"

namespace seerflow::net::http {

using handler = std::function<boost::asio::awaitable<response>(request&)>;

class router {
 public:
  // Throws std::invalid_argument when the method and path are already routed or the path does
  // not start with '/'.
  void add(std::string method, std::string path, handler h);

  struct match {
    const handler* h = nullptr;  // nullptr: see path_known
    bool path_known = false;     // the path exists under another method (405, not 404)
    std::string allow;           // the methods of that path, "GET, POST"
  };
  match find(std::string_view method, std::string_view path) const;

  std::size_t size() const { return routes_.size(); }

 private:
  struct route {
    std::string method, path;
    handler h;
  };
  std::vector<route> routes_;
};

}  // namespace seerflow::net::http
