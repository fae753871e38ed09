#pragma once
// OTLP/HTTP on the shared Beast HTTP server: the `POST /v1/logs` route, adapting the server's
// request and response to serve_http_export (http_export.hpp), which holds all the logic.
#include <memory>

#include "runtime/ingest/batch_sink.hpp"
#include "runtime/net/http/router.hpp"
#include "runtime/otlp/http_export.hpp"
#include "runtime/otlp/otlp_counters.hpp"

namespace seerflow::otlp {

inline constexpr const char* logs_path = "/v1/logs";

// The route keeps the sink, options and counters alive for as long as the router lives.
void add_logs_route(net::http::router& routes, http_export_options opts,
                    std::shared_ptr<ingest::batch_sink> sink,
                    std::shared_ptr<otlp_counters> counters);

}  // namespace seerflow::otlp
