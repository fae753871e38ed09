#pragma once
// One configured webhook endpoint as an HTTP handler: authenticate (401), read the body by
// content type (415/400), map the payload into events (400/413), hand them to the source's
// pipeline as one prepared batch. The pipeline is never waited on: when it has no room the
// sender gets 429 with Retry-After and keeps its data, so a burst of webhooks cannot buffer
// without bound here.
#include <memory>
#include <string>

#include "runtime/ingest/batch_sink.hpp"
#include "runtime/net/http/http_message.hpp"
#include "runtime/net/receiver_counters.hpp"
#include "runtime/util/asio_fwd.hpp"
#include "runtime/webhook/webhook_auth.hpp"
#include "runtime/webhook/webhook_mapper.hpp"

namespace seerflow::webhook {

class webhook_endpoint {
 public:
  // Counts into `counters` (the receiver's): records_received (events accepted), records_rejected
  // by reason ("missing_auth", "bad_auth", "bad_content_type", "bad_form", "bad_json",
  // "too_deep", "too_many_records", "no_records": one per refused request), records_dropped
  // ("backpressure": events answered with 429, which the sender still holds).
  webhook_endpoint(std::string path, auth_spec auth, webhook_mapper mapper,
                   std::shared_ptr<ingest::batch_sink> sink, net::receiver_counters& counters);

  boost::asio::awaitable<net::http::response> handle(net::http::request& req);

  // The work of handle() without the coroutine: what the benchmark and tests drive directly.
  net::http::response handle_now(net::http::request& req);

  const std::string& path() const { return path_; }

 private:
  net::http::response refuse(int status, std::string_view reason, std::string detail);

  std::string path_;
  auth_spec auth_;
  webhook_mapper mapper_;
  std::shared_ptr<ingest::batch_sink> sink_;
  net::receiver_counters counters_;
};

}  // namespace seerflow::webhook
