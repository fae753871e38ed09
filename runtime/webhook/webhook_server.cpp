#include "runtime/webhook/webhook_server.hpp"

namespace seerflow::webhook {

webhook_server::webhook_server(boost::asio::io_context& io, net::http::server_options options,
                               std::vector<std::shared_ptr<webhook_endpoint>> endpoints,
                               net::receiver_counters& counters) {
  net::http::router routes;
  for (auto& ep : endpoints) {
    const auto path = ep->path();
    routes.add("POST", path, [ep](net::http::request& req) { return ep->handle(req); });
  }
  server_ =
      std::make_shared<net::http::http_server>(io, std::move(options), std::move(routes), counters);
}

}  // namespace seerflow::webhook
