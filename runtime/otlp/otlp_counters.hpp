#pragma once
// The counters of one OTLP receiver (gRPC or HTTP), beside the common receiver counters:
// records_received counts records taken into the pipeline, records_rejected by reason counts
// records and whole requests refused for their content (a request-level reason such as
// "bad_protobuf" counts once per request), records_dropped counts records lost after acceptance
// (none by design). Requests refused for backpressure or shutdown are not lost (the client keeps
// and retries them): they are counted as requests_refused by reason.
#include <memory>
#include <string>

#include "runtime/net/receiver_counters.hpp"
#include "runtime/otlp/decoded_export.hpp"

namespace seerflow::otlp {

class otlp_counters {
 public:
  otlp_counters(metrics::registry& reg, const std::string& receiver)
      : common(reg, receiver),
        requests(reg.get_counter("otlp_requests", {{"receiver", receiver}})),
        refused_(std::make_shared<net::reason_counters>(reg, "otlp_requests_refused",
                                                        metrics::labels{{"receiver", receiver}})) {}

  net::receiver_counters common;
  metrics::counter& requests;
  net::reason_counters& requests_refused() const { return *refused_; }

  // Counts what decoding found: rejections by reason, or the request's own failure.
  void count_decoded(const decoded_export& d) const {
    if (!d.ok) {
      common.records_rejected().add(d.error_reason);
      return;
    }
    for (const auto& [reason, n] : d.rejected_by_reason) common.records_rejected().add(reason, n);
  }

 private:
  std::shared_ptr<net::reason_counters> refused_;
};

}  // namespace seerflow::otlp
