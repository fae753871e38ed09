#include "runtime/otlp/http_route.hpp"

namespace seerflow::otlp {

void add_logs_route(net::http::router& routes, http_export_options opts,
                    std::shared_ptr<ingest::batch_sink> sink,
                    std::shared_ptr<otlp_counters> counters) {
  auto shared_opts = std::make_shared<const http_export_options>(std::move(opts));
  routes.add("POST", logs_path,
             [shared_opts, sink,
              counters](net::http::request& req) -> boost::asio::awaitable<net::http::response> {
               http_export_request r;
               if (const auto* v = req.header("content-type")) r.content_type = *v;
               if (const auto* v = req.header("content-encoding")) r.content_encoding = *v;
               r.body = req.body;
               r.peer = "otlp-http:" + req.peer;
               r.arrival_ns = req.arrival_ns;
               auto out = co_await serve_http_export(std::move(r), *shared_opts, *sink, *counters);
               net::http::response resp;
               resp.status = out.status;
               resp.content_type = std::move(out.content_type);
               resp.body = std::move(out.body);
               resp.headers = std::move(out.headers);
               co_return resp;
             });
}

}  // namespace seerflow::otlp
