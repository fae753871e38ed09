#pragma once
// The counters of one receiver, registered in a metrics::registry under the label
// receiver=<name>. A cheap copyable handle: each server keeps its own copy; the registry must
// outlive every copy. Reason-labelled counters are looked up once per reason and cached.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/metrics/registry.hpp"

namespace seerflow::net {

// One counter name broken down by a "reason" label, with the per-reason counters cached so a
// hostile sender producing millions of rejections costs a short locked lookup, not a registry
// insert, per record. Thread-safe.
class reason_counters {
 public:
  reason_counters(metrics::registry& reg, std::string name, metrics::labels base);
  reason_counters(const reason_counters&) = delete;
  reason_counters& operator=(const reason_counters&) = delete;

  void add(std::string_view reason, std::uint64_t n = 1);
  // The current value for one reason (0 if never counted); for tests and summaries.
  std::uint64_t value(std::string_view reason) const;
  std::uint64_t total() const;

 private:
  metrics::counter& lookup_locked(std::string_view reason) const;

  metrics::registry& reg_;
  const std::string name_;
  const metrics::labels base_;
  mutable std::mutex mtx_;
  mutable std::vector<std::pair<std::string, metrics::counter*>> cache_;
};

class receiver_counters {
 public:
  receiver_counters(metrics::registry& reg, std::string receiver);

  const std::string& receiver() const { return *name_; }

  metrics::counter& records_received;      // records framed and put into a batch
  metrics::counter& bytes_received;        // bytes read from sockets (datagram or stream)
  metrics::counter& batches_submitted;     // batches the sink accepted
  metrics::counter& connections_accepted;  // TCP connections accepted
  metrics::gauge& connections_open;        // TCP connections open now

  // Records lost after they were read: "backpressure" (UDP, no credit), "kernel_buffer" (UDP,
  // the socket buffer overflowed before we read), "shutdown" (the sink refused at shutdown),
  // "sink_error" (the sink threw).
  reason_counters& records_dropped() const { return *dropped_; }
  // Records or frames that could not be framed: "oversized", "bad_frame", "empty", "truncated".
  reason_counters& records_rejected() const { return *rejected_; }
  // Connections not served: "at_limit", "fd_limit" (accept failed for lack of descriptors).
  reason_counters& connections_refused() const { return *refused_; }
  // Why TCP connections ended: "eof", "reset", "idle_timeout", "bad_frame", "error", "shutdown".
  reason_counters& connections_closed() const { return *closed_; }

 private:
  std::shared_ptr<const std::string> name_;
  std::shared_ptr<reason_counters> dropped_;
  std::shared_ptr<reason_counters> rejected_;
  std::shared_ptr<reason_counters> refused_;
  std::shared_ptr<reason_counters> closed_;
};

}  // namespace seerflow::net
