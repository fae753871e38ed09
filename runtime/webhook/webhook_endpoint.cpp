#include "runtime/webhook/webhook_endpoint.hpp"

#include <nlohmann/json.hpp>

#include "runtime/webhook/webhook_body.hpp"

namespace seerflow::webhook {

namespace http = net::http;

webhook_endpoint::webhook_endpoint(std::string path, auth_spec auth, webhook_mapper mapper,
                                   std::shared_ptr<ingest::batch_sink> sink,
                                   net::receiver_counters& counters)
    : path_(std::move(path)),
      auth_(std::move(auth)),
      mapper_(std::move(mapper)),
      sink_(std::move(sink)),
      counters_(counters) {}

http::response webhook_endpoint::refuse(int status, std::string_view reason, std::string detail) {
  counters_.records_rejected().add(reason);
  nlohmann::json j;
  j["error"] = reason;
  j["detail"] = std::move(detail);
  return http::json_response(status,
                             j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

boost::asio::awaitable<http::response> webhook_endpoint::handle(http::request& req) {
  co_return handle_now(req);
}

http::response webhook_endpoint::handle_now(http::request& req) {
  if (const auto why = check_auth(auth_, req); !why.empty()) {
    auto r = refuse(401, why,
                    why == "missing_auth" ? "credentials required" : "credentials not accepted");
    if (auth_.kind == auth_kind::bearer) r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  const auto* ct = req.header("content-type");
  std::string json;
  if (auto err = payload_json(ct ? *ct : std::string_view{}, req.body, json))
    return refuse(err->status, err->reason, std::move(err->detail));

  model::raw_batch batch;
  batch.format = model::input_format::prepared;
  if (auto err = mapper_.decode(json, req.arrival_ns, req.peer, batch.prepared))
    return refuse(err->reason == "too_many_records" ? 413 : 400, err->reason,
                  std::move(err->detail));
  const auto n = batch.prepared.size();
  if (n > 0) {
    if (!sink_->try_submit(batch)) {
      counters_.records_dropped().add("backpressure", n);
      auto r = http::json_response(429, R"({"error":"backpressure","detail":"retry later"})");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    counters_.records_received.add(n);
    counters_.batches_submitted.add(1);
  }
  return http::json_response(200, R"({"accepted":)" + std::to_string(n) + "}");
}

}  // namespace seerflow::webhook
