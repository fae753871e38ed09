#include "runtime/metrics/prometheus_text.hpp"

#include <catch2/catch.hpp>

using namespace seerflow::metrics;

TEST_CASE("counters and gauges render as Prometheus text families", "[metrics][prometheus]") {
  registry r;
  r.get_counter("events_processed").add(42);
  r.get_counter("records_rejected", {{"receiver", "syslog-udp"}, {"reason", "bad_pri"}}).add(3);
  r.get_counter("records_rejected", {{"receiver", "syslog-tcp"}, {"reason", "oversized"}}).add(1);
  r.get_gauge("connections_open", {{"receiver", "syslog-tcp"}}).set(7);
  const auto text = prometheus_text(r.snapshot());
  CHECK(text.find("# TYPE seerflow_events_processed_total counter\n"
                  "seerflow_events_processed_total 42\n") != std::string::npos);
  CHECK(text.find("# TYPE seerflow_records_rejected_total counter\n") != std::string::npos);
  CHECK(text.find(
            "seerflow_records_rejected_total{receiver=\"syslog-udp\",reason=\"bad_pri\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE seerflow_connections_open gauge\n"
                  "seerflow_connections_open{receiver=\"syslog-tcp\"} 7\n") != std::string::npos);
  // One TYPE line per family, even with several label sets.
  std::size_t types = 0;
  for (std::size_t p = 0;
       (p = text.find("# TYPE seerflow_records_rejected_total", p)) != std::string::npos; ++p)
    ++types;
  CHECK(types == 1);
}

TEST_CASE("hostile names and label values cannot break the format", "[metrics][prometheus]") {
  registry r;
  r.get_counter("bad name-with.dots", {{"path", "a\"b\\c\nd"}, {"9lead", "x"}, {"__x", "y"}})
      .add(1);
  const auto text = prometheus_text(r.snapshot());
  CHECK(
      text.find(
          "seerflow_bad_name_with_dots_total{path=\"a\\\"b\\\\c\\nd\",_lead=\"x\",_x=\"y\"} 1\n") !=
      std::string::npos);
  // Every line is a comment or "name{...} value": no raw newline inside a sample.
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    REQUIRE(end != std::string::npos);
    const auto line = text.substr(start, end - start);
    CHECK((line.starts_with("# TYPE ") || line.starts_with("seerflow_")));
    start = end + 1;
  }
}

TEST_CASE("a gauge and a counter sharing a name stay two families", "[metrics][prometheus]") {
  std::vector<sample> s{{"depth_total", {}, true, 5}, {"depth_total", {}, false, 2}};
  const auto text = prometheus_text(s);
  CHECK(text.find("# TYPE seerflow_depth_total counter\nseerflow_depth_total 5\n") !=
        std::string::npos);
  CHECK(text.find("# TYPE seerflow_depth_total_gauge gauge\nseerflow_depth_total_gauge 2\n") !=
        std::string::npos);
  CHECK(prometheus_text({}).empty());
}
