#pragma once
// The webhook receiver: one HTTP server whose routes are the configured endpoints (POST on each
// path). Owns the server; stop() is the server's graceful stop.
#include <functional>
#include <memory>
#include <vector>

#include "runtime/net/http/http_server.hpp"
#include "runtime/webhook/webhook_endpoint.hpp"

namespace seerflow::webhook {

class webhook_server {
 public:
  // Throws std::invalid_argument for two endpoints on one path, std::runtime_error for bad TLS
  // files.
  webhook_server(boost::asio::io_context& io, net::http::server_options options,
                 std::vector<std::shared_ptr<webhook_endpoint>> endpoints,
                 net::receiver_counters& counters);

  std::uint16_t start() { return server_->start(); }
  void stop(std::function<void()> on_stopped) { server_->stop(std::move(on_stopped)); }
  std::uint16_t port() const { return server_->port(); }
  bool tls() const { return server_->tls(); }

 private:
  std::shared_ptr<net::http::http_server> server_;
};

}  // namespace seerflow::webhook
