#include "runtime/net/http/router.hpp"

#include <stdexcept>

namespace seerflow::net::http {

void router::add(std::string method, std::string path, handler h) {
  if (path.empty() || path.front() != '/')
    throw std::invalid_argument("http route path must start with '/': '" + path + "'");
  for (const auto& r : routes_)
    if (r.method == method && r.path == path)
      throw std::invalid_argument("http route " + method + " " + path + " is defined twice");
  routes_.push_back({std::move(method), std::move(path), std::move(h)});
}

router::match router::find(std::string_view method, std::string_view path) const {
  match m;
  for (const auto& r : routes_) {
    if (r.path != path) continue;
    if (r.method == method) {
      m.h = &r.h;
      return m;
    }
    m.path_known = true;
    m.allow += (m.allow.empty() ? "" : ", ") + r.method;
  }
  return m;
}

}  // namespace seerflow::net::http
