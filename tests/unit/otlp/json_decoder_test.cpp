// OTLP/JSON requests into events: the specification's JSON mapping (lowerCamelCase, hex ids,
// 64-bit integers as strings, enum names), per-record type errors, and hostile text.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

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

namespace {

std::uint64_t rejected_for(const otlp::decoded_export& d, const std::string& reason) {
  for (const auto& [r, n] : d.rejected_by_reason)
    if (r == reason) return n;
  return 0;
}

std::string body_record(const std::string& body_json) {
  return R"({"body": )" + body_json + "}";
}

}  // namespace

TEST_CASE("text that is not strict JSON fails the request", "[otlp][json][hostile]") {
  const std::string ok_record = R"({"body": {"stringValue": "fine"}})";
  for (const std::string& text : std::vector<std::string>{
           one_record(ok_record) + "x",                               // trailing garbage
           one_record(ok_record) + " {}",                             // a second value
           one_record(ok_record + ","),                               // trailing comma in an array
           R"({"resourceLogs": [],})",                                // trailing comma in an object
           R"({"resourceLogs" [] })",                                 // no colon
           R"({resourceLogs: []})",                                   // unquoted name
           R"({'resourceLogs': []})",                                 // single quotes
           one_record(body_record(R"({"intValue": 012})")),           // leading zero
           one_record(body_record(R"({"doubleValue": .5})")),         // no integer part
           one_record(body_record(R"({"doubleValue": 1.})")),         // no fraction digits
           one_record(body_record(R"({"doubleValue": 1e})")),         // no exponent digits
           one_record(body_record(R"({"doubleValue": +1})")),         // plus sign
           one_record(body_record(R"({"doubleValue": NaN})")),        // bare NaN
           one_record(body_record(R"({"boolValue": True})")),         // capitalised literal
           one_record(body_record(R"({"boolValue": nul})")),          // cut literal
           one_record(body_record(R"({"stringValue": "a\x"})")),      // unknown escape
           one_record(body_record(R"({"stringValue": "\u12"})")),     // short \u
           one_record(body_record(R"({"stringValue": "\ud800"})")),   // lone high surrogate
           one_record(body_record(R"({"stringValue": "\udc00x"})")),  // lone low surrogate
           one_record(body_record(R"({"stringValue": "\ud800\u0041"})")),       // high + non-low
           one_record(body_record("{\"stringValue\": \"tab\there\"}")),         // raw control char
           one_record(body_record("{\"stringValue\": \"nul\0here\"}")),         // raw NUL (cut)
           one_record(body_record("{\"stringValue\": \"bad \xff byte\"}")),     // invalid UTF-8
           one_record(body_record("{\"stringValue\": \"\xc0\xaf\"}")),          // overlong '/'
           one_record(body_record("{\"stringValue\": \"\xed\xa0\x80\"}")),      // UTF-8 surrogate
           one_record(body_record("{\"stringValue\": \"\xf4\x90\x80\x80\"}")),  // > U+10FFFF
           one_record(body_record("{\"stringValue\": \"cut \xe2\x82\"}")),      // cut sequence
           one_record("{\"b\xffody\": 1}"),  // bad UTF-8 in a name
       }) {
    INFO(text);
    const auto d = decode(text);
    CHECK_FALSE(d.ok);
    CHECK(d.error_reason == "bad_json");
    CHECK(d.events.empty());
    CHECK(d.error_detail.find("not JSON at byte") != std::string::npos);
  }
}

TEST_CASE("a syntax error after a rejected record still fails the request",
          "[otlp][json][hostile]") {
  // The wrongly typed record is skipped over, and skipping checks its syntax and what follows.
  for (const std::string& text :
       {one_record(R"({"body": 5, "x": [1, 2,]}, {"body": {"stringValue": "ok"}})"),
        one_record(R"({"body": 5}, {"body": {"stringValue": "ok"}})") + "]",
        one_record(R"({"timeUnixNano": "soon", "body": {"stringValue": "x)")}) {
    INFO(text);
    const auto d = decode(text);
    CHECK_FALSE(d.ok);
    CHECK(d.error_reason == "bad_json");
    CHECK(d.events.empty());
  }
  // A wrongly shaped request with broken JSON later reports the broken JSON.
  const auto d = decode(R"({"resourceLogs": 5, "x": tru})");
  CHECK_FALSE(d.ok);
  CHECK(d.error_detail.find("not JSON") != std::string::npos);
}

TEST_CASE("escapes and multi-byte text decode exactly", "[otlp][json]") {
  const auto d = decode(one_record(
      R"({"body": {"stringValue": "q\"b\\s\/n\nt\tu\u00e9e\ud83d\ude00\u0000end"},
          "attributes": [{"key": "k\u00e9y", "value": {"stringValue": "caf)"
      "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"
      R"("}}]})"));
  REQUIRE(d.ok);
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].message == std::string("q\"b\\s/n\nt\tu\xc3\xa9"
                                           "e\xf0\x9f\x98\x80\0end",
                                           22));
  CHECK(value_of(d.events[0], "k\xc3\xa9y") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

TEST_CASE("null members read as absent; unknown members of any shape are skipped", "[otlp][json]") {
  const auto d = decode(R"({"resourceLogs": [{"resource": null, "scopeLogs": [
      {"scope": null, "schemaUrl": "https://x", "logRecords": [
        {"body": {"stringValue": "a", "boolValue": null}, "attributes": null, "traceId": null,
         "severityNumber": null, "timeUnixNano": null, "flags": null,
         "unknown": {"deep": [1, -2.5e-3, true, false, null, "s", {"x": []}]}},
        {"body": {"stringValue": null, "intValue": "7"}, "attributes": [{"key": "v", "value": null}]}
      ]}], "extra": [[], {}]}], "resource_logs_typo": 1})");
  REQUIRE(d.ok);
  REQUIRE(d.events.size() == 2);
  CHECK(d.events[0].message == "a");
  CHECK(d.events[0].severity == -1);
  CHECK(d.events[1].message == "7");
  CHECK(value_of(d.events[1], "v") == "");
  CHECK(d.rejected == 0);
}

TEST_CASE("numbers at the edges: per-record rejections with reasons", "[otlp][json][hostile]") {
  const auto d = decode(one_record(
      R"({"body": {"intValue": "9223372036854775807"}},
         {"body": {"intValue": "9223372036854775808"}},
         {"body": {"intValue": -9223372036854775808}},
         {"body": {"intValue": 99999999999999999999}},
         {"body": {"intValue": 1.5}},
         {"body": {"doubleValue": 1e400}},
         {"body": {"doubleValue": 1e-400}},
         {"body": {"doubleValue": "-Infinity"}},
         {"body": {"stringValue": "t"}, "timeUnixNano": -1},
         {"body": {"stringValue": "f"}, "flags": 4294967296},
         {"body": {"stringValue": "s"}, "severityNumber": 25},
         {"body": {"stringValue": "last"}, "flags": 4294967295, "severityNumber": "SEVERITY_NUMBER_FATAL4"})"));
  REQUIRE(d.ok);
  REQUIRE(d.events.size() == 5);
  CHECK(d.events[0].message == "9223372036854775807");
  CHECK(d.events[1].message == "-9223372036854775808");
  CHECK(d.events[2].message == "0");
  CHECK(d.events[3].message == R"("-Infinity")");
  CHECK(d.events[4].message == "last");
  CHECK(d.events[4].severity == 0);
  CHECK(d.rejected == 7);
  CHECK(rejected_for(d, "bad_record") == 7);
  CHECK(d.first_rejection.find("log record 1: intValue") != std::string::npos);
}

TEST_CASE("oversized strings cost their record, not the request", "[otlp][json][hostile]") {
  const std::string huge(300'000, 'x');
  const std::string escaped_huge = [] {
    std::string s;
    for (int i = 0; i < 40'000; ++i) s += "\\u00e9";
    return s;
  }();
  const auto d = decode(one_record(
      R"({"body": {"stringValue": "before"}},
         {"body": {"stringValue": ")" +
      huge + R"("}},
         {"body": {"stringValue": "attr"}, "attributes": [{"key": "k", "value": {"stringValue": ")" +
      escaped_huge + R"("}}]},
         {"body": {"stringValue": "key"}, "attributes": [{"key": ")" +
      huge + R"(", "value": {}}]},
         {"body": {"stringValue": "after"}, "unknown": ")" +
      huge + R"("})"));
  REQUIRE(d.ok);
  REQUIRE(d.events.size() == 2);
  CHECK(d.events[0].message == "before");
  CHECK(d.events[1].message == "after");
  CHECK(rejected_for(d, "oversized") == 3);
}

TEST_CASE("deep nesting anywhere is refused as too_deep; within the limit it is kept",
          "[otlp][json][hostile]") {
  auto nested_body = [](int levels) {
    std::string open, close;
    for (int i = 0; i < levels; ++i) {
      open += R"({"kvlistValue": {"values": [{"key": "k", "value": )";
      close = "}]}}" + close;
    }
    return open + R"({"stringValue": "leaf"})" + close;
  };
  // Four JSON levels per AnyValue level, plus seven around the body: 29 levels fit in 128.
  const auto ok = decode(one_record(body_record(nested_body(29))));
  REQUIRE(ok.ok);
  REQUIRE(ok.events.size() == 1);
  CHECK(ok.events[0].message.find("leaf") != std::string::npos);
  const auto deep = decode(one_record(body_record(nested_body(40))));
  CHECK_FALSE(deep.ok);
  CHECK(deep.error_reason == "too_deep");
  // In an unknown member, in a rejected record, and at the top level.
  const auto unknown =
      decode(one_record(R"({"x": )" + std::string(200, '[') + std::string(200, ']') + "}"));
  CHECK(unknown.error_reason == "too_deep");
  const auto rejected = decode(
      one_record(R"({"body": 5, "x": )" + std::string(200, '[') + std::string(200, ']') + "}"));
  CHECK(rejected.error_reason == "too_deep");
  const auto top = decode(std::string(1'000'000, '['));
  CHECK(top.error_reason == "too_deep");
  std::string members;
  for (int i = 0; i < 100'000; ++i) members += R"({"a":)";
  CHECK(decode(members).error_reason == "too_deep");
}

TEST_CASE("binary and random bytes fail cleanly", "[otlp][json][hostile]") {
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    std::string t(rng() % 300, '\0');
    for (auto& c : t) c = static_cast<char>(rng());
    if (round % 2 == 0 && !t.empty()) t[0] = '{';
    CHECK(decode(t).events.empty());
  }
}

TEST_CASE("every truncation of a request with rejections fails cleanly", "[otlp][json][hostile]") {
  const std::string text = one_record(R"({"body": {"stringValue": "caf\u00e9 )"
                                      "\xe2\x82\xac"
                                      R"("}, "traceId": "zz"},
         {"body": {"kvlistValue": {"values": [{"key": "a", "value": {"arrayValue": {"values": [{"intValue": "1"}, {"doubleValue": 2.5e3}]}}}]}}},
         {"body": 7, "spanId": "EEE19B7EC3C1B174"},
         {"body": {"boolValue": false}, "severityNumber": "SEVERITY_NUMBER_INFO2"})");
  const auto full = decode(text);
  REQUIRE(full.ok);
  CHECK(full.events.size() == 2);
  CHECK(full.rejected == 2);
  for (std::size_t n = 0; n < text.size(); ++n) {
    const auto d = decode(std::string_view(text).substr(0, n));
    CHECK_FALSE(d.ok);
    CHECK(d.events.empty());
  }
}

TEST_CASE("random mutations of a request with escapes never crash", "[otlp][json][hostile]") {
  std::mt19937 rng(13);
  const std::string text = one_record(
      R"({"body": {"stringValue": "a\u00e9\ud83d\ude00\n"}, "attributes": [{"key": "k", "value": {"kvlistValue": {"values": [{"key": "x", "value": {"bytesValue": "aGk="}}]}}}]})");
  const std::string alphabet = "{}[]\":,0123456789abcdefuUn\\/-+.eE \xff\xc3\xa9\x80";
  for (int round = 0; round < 5000; ++round) {
    std::string t = text;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const auto pos = rng() % t.size();
      switch (rng() % 3) {
        case 0:
          t[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          t.erase(pos, 1);
          break;
        default:
          t.insert(t.begin() + static_cast<std::ptrdiff_t>(pos), alphabet[rng() % alphabet.size()]);
      }
    }
    const auto d = decode(t);
    if (!d.ok) CHECK(d.events.empty());
    CHECK(d.events.size() + d.rejected <= 1);
  }
}
