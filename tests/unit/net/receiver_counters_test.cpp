// The per-receiver counters and their labels in the metrics registry.
#include <catch2/catch.hpp>

#include "runtime/metrics/registry.hpp"
#include "runtime/net/receiver_counters.hpp"

using namespace seerflow;

TEST_CASE("receiver counters are labelled with the receiver and, where broken down, the reason") {
  metrics::registry reg;
  net::receiver_counters a(reg, "edge");
  net::receiver_counters b(reg, "core");
  a.records_received.add(5);
  b.records_received.add(7);
  a.records_rejected().add("oversized");
  a.records_rejected().add("oversized", 2);
  a.records_rejected().add("bad_frame");
  b.records_dropped().add("backpressure", 10);
  auto copy = a;  // servers keep copies; they count into the same series
  copy.records_rejected().add("bad_frame");
  copy.connections_open.add(2);

  CHECK(reg.get_counter("records_received", {{"receiver", "edge"}}).value() == 5);
  CHECK(reg.get_counter("records_received", {{"receiver", "core"}}).value() == 7);
  CHECK(reg.get_counter("records_rejected", {{"receiver", "edge"}, {"reason", "oversized"}})
            .value() == 3);
  CHECK(reg.get_counter("records_rejected", {{"receiver", "edge"}, {"reason", "bad_frame"}})
            .value() == 2);
  CHECK(reg.get_counter("records_dropped", {{"receiver", "core"}, {"reason", "backpressure"}})
            .value() == 10);
  CHECK(reg.get_gauge("connections_open", {{"receiver", "edge"}}).value() == 2);
  CHECK(a.records_rejected().value("oversized") == 3);
  CHECK(a.records_rejected().total() == 5);
  CHECK(a.records_dropped().total() == 0);
  CHECK(b.records_dropped().total() == 10);
  CHECK(a.receiver() == "edge");
}
