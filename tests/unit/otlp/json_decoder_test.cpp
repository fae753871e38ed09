// OTLP/JSON requests into events: the specification's JSON mapping (lowerCamelCase, hex ids,
// 64-bit integers as strings, enum names), per-record type errors, and hostile text.
#include <catch2/catch.hpp>

#include <random>

#include "runtime/otlp/json_decoder.hpp"

using namespace seerflow;

namespace {

const std::string peer = "otlp-http:127.0.0.1:5000";
constexpr std::int64_t arrival = 1'800'000'000'000'000'000;

// Shaped like the example in the OTLP specification (examples/logs.json).
const std::string example = R"({
  "resourceLogs": [{
    "resource": {"attributes": [
      {"key": "service.name", "value": {"stringValue": "my.service"}},
      {"key": "host.name", "value": {"stringValue": "node-7"}}]},
    "scopeLogs": [{
      "scope": {"name": "my.library", "version": "1.0.0",
                "attributes": [{"key": "my.scope.attribute", "value": {"stringValue": "some scope attribute"}}]},
      "logRecords": [{
        "timeUnixNano": "1544712660300000000",
        "observedTimeUnixNano": "1544712660300000000",
        "severityNumber": 10,
        "severityText": "Information",
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "EEE19B7EC3C1B174",
        "body": {"stringValue": "Example log record"},
        "attributes": [
          {"key": "string.attribute", "value": {"stringValue": "some string"}},
          {"key": "boolean.attribute", "value": {"boolValue": true}},
          {"key": "int.attribute", "value": {"intValue": "10"}},
          {"key": "double.attribute", "value": {"doubleValue": 637.704}},
          {"key": "array.attribute", "value": {"arrayValue": {"values": [{"stringValue": "many"}, {"stringValue": "values"}]}}},
          {"key": "map.attribute", "value": {"kvlistValue": {"values": [{"key": "some.map.key", "value": {"stringValue": "some value"}}]}}}
        ]
      }]
    }]
  }]
})";

std::string value_of(const model::event& ev, const std::string& key) {
  for (const auto& f : ev.fields)
    if (f.key == key) return f.value;
  return "<absent>";
}

otlp::decoded_export decode(std::string_view text) {
  return otlp::decode_json(text, {}, arrival, peer);
}

std::string one_record(const std::string& record) {
  return R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)" + record + "]}]}]}";
}

}  // namespace

TEST_CASE("the specification's example request", "[otlp][json]") {
  const auto d = decode(example);
  REQUIRE(d.ok);
  REQUIRE(d.events.size() == 1);
  const auto& e = d.events[0];
  CHECK(e.message == "Example log record");
  CHECK(e.time_ns == 1544712660300000000);
  CHECK(e.time_from_log);
  CHECK(e.severity == 6);
  CHECK(e.host == "node-7");
  CHECK(e.app == "my.service");
  CHECK(value_of(e, "trace_id") == "5b8efff798038103d269b633813fc60c");
  CHECK(value_of(e, "span_id") == "eee19b7ec3c1b174");
  CHECK(value_of(e, "severity_text") == "Information");
  CHECK(value_of(e, "string.attribute") == "some string");
  CHECK(value_of(e, "boolean.attribute") == "true");
  CHECK(value_of(e, "int.attribute") == "10");
  CHECK(value_of(e, "double.attribute") == "637.704");
  CHECK(value_of(e, "array.attribute") == R"(["many","values"])");
  CHECK(value_of(e, "map.attribute.some.map.key") == "some value");
  CHECK(value_of(e, "scope.name") == "my.library");
  CHECK(value_of(e, "scope.my.scope.attribute") == "some scope attribute");
  CHECK(value_of(e, "resource.service.name") == "my.service");
}

TEST_CASE("integers as numbers, enum names, snake_case keys, bytes as base64", "[otlp][json]") {
  const auto d = decode(one_record(
      R"({"time_unix_nano": 1544712660300000001, "severityNumber": "SEVERITY_NUMBER_ERROR3",
          "body": {"bytesValue": "aGVsbG8="}, "attributes": [{"key": "n", "value": {"int_value": -5}}]},
         {"timeUnixNano": "0", "observedTimeUnixNano": 1544712660300000002,
          "severityNumber": "SEVERITY_NUMBER_WARN", "body": {"stringValue": "w"}})"));
  REQUIRE(d.ok);
  REQUIRE(d.events.size() == 2);
  CHECK(d.events[0].time_ns == 1544712660300000001);
  CHECK(d.events[0].severity == 3);
  CHECK(d.events[0].message == R"("aGVsbG8=")");
  CHECK(value_of(d.events[0], "n") == "-5");
  CHECK(d.events[1].time_ns == 1544712660300000002);
  CHECK(d.events[1].severity == 4);
}

TEST_CASE("a wrongly typed record is rejected alone", "[otlp][json]") {
  const auto d = decode(one_record(
      R"({"body": {"stringValue": "first"}},
         {"body": {"stringValue": "bad time"}, "timeUnixNano": "soon"},
         {"body": {"stringValue": "bad id"}, "traceId": "not-hex-not-hex-not-hex-not-hex!"},
         {"body": {"stringValue": "short span"}, "spanId": "abcd"},
         {"body": {"stringValue": 5}},
         {"body": {"stringValue": "bad enum"}, "severityNumber": "LOUD"},
         {"body": {"stringValue": "bad base64"}, "attributes": [{"key": "b", "value": {"bytesValue": "%%%"}}]},
         "not an object",
         {"attributes": []},
         {"body": {"stringValue": "last"}})"));
  REQUIRE(d.ok);
  REQUIRE(d.events.size() == 2);
  CHECK(d.events[0].message == "first");
  CHECK(d.events[1].message == "last");
  CHECK(d.rejected == 8);
  std::uint64_t bad_record = 0, bad_trace = 0, bad_span = 0, no_body = 0;
  for (const auto& [r, n] : d.rejected_by_reason) {
    if (r == "bad_record") bad_record = n;
    if (r == "bad_trace_id") bad_trace = n;
    if (r == "bad_span_id") bad_span = n;
    if (r == "no_body") no_body = n;
  }
  CHECK(bad_record == 5);
  CHECK(bad_trace == 1);
  CHECK(bad_span == 1);
  CHECK(no_body == 1);
}

TEST_CASE("requests that are not OTLP/JSON fail as a whole", "[otlp][json][hostile]") {
  for (const char* text :
       {"", "   ", "{", "[]", "42", "null", R"({"resourceLogs": 5})", R"({"resourceLogs": [5]})",
        R"({"resourceLogs": [{"scopeLogs": {}}]})", R"({"resourceLogs": [{"resource": []}]})",
        R"({"resourceLogs": [{"resource": {"attributes": [{"key": 1}]}}]})",
        "{\"resourceLogs\": [], \"x\": \"\xff\"}"}) {
    INFO(text);
    const auto d = decode(text);
    CHECK_FALSE(d.ok);
    CHECK(d.error_reason == "bad_json");
    CHECK(d.events.empty());
  }
  const auto empty = decode(R"({"resourceLogs": [], "unknownKey": {"a": 1}})");
  CHECK(empty.ok);
  CHECK(empty.events.empty());
}

TEST_CASE("nesting beyond the limit is refused before parsing", "[otlp][json][hostile]") {
  std::string deep(100000, '[');
  const auto d = decode(deep);
  CHECK_FALSE(d.ok);
  CHECK(d.error_reason == "too_deep");
  // Brackets inside strings are text, not nesting.
  const auto quoted =
      decode(one_record(R"({"body": {"stringValue": ")" + std::string(500, '[') + R"("}})"));
  REQUIRE(quoted.ok);
  CHECK(quoted.events.size() == 1);
}

TEST_CASE("every truncation of a valid request decodes or fails cleanly", "[otlp][json][hostile]") {
  for (std::size_t n = 0; n < example.size(); ++n) {
    const auto d = decode(std::string_view(example).substr(0, n));
    CHECK_FALSE(d.ok);
    CHECK(d.events.empty());
  }
  CHECK(decode(example).events.size() == 1);
}

TEST_CASE("random mutations never crash the decoder", "[otlp][json][hostile]") {
  std::mt19937 rng(7);
  const std::string alphabet = "{}[]\":,0123456789abcdefxyz \\-.e";
  for (int round = 0; round < 3000; ++round) {
    std::string t = example;
    for (int k = 0; k < 4; ++k) t[rng() % t.size()] = alphabet[rng() % alphabet.size()];
    const auto d = decode(t);
    if (!d.ok) CHECK(d.events.empty());
  }
}
