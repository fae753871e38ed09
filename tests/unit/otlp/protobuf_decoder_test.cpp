// OTLP/protobuf requests into events: the mapping of every part of a LogRecord, per-record
// rejections that keep the rest, and malformed, truncated, binary and hostile bytes.
#include <catch2/catch.hpp>

#include <random>

#include "runtime/otlp/protobuf_decoder.hpp"
#include "runtime/otlp/severity.hpp"
#include "tests/unit/otlp/otlp_test_support.hpp"

using namespace seerflow;
using namespace seerflow::test;

namespace {

const std::string peer = "otlp-http:127.0.0.1:5000";
constexpr std::int64_t arrival = 1'800'000'000'000'000'000;

const std::string* field(const model::event& ev, const std::string& key) {
  for (const auto& f : ev.fields)
    if (f.key == key) return &f.value;
  return nullptr;
}

std::string value_of(const model::event& ev, const std::string& key) {
  const auto* v = field(ev, key);
  return v ? *v : std::string("<absent>");
}

std::uint64_t count(const otlp::decoded_export& d, const std::string& reason) {
  for (const auto& [r, n] : d.rejected_by_reason)
    if (r == reason) return n;
  return 0;
}

otlp::decoded_export decode(const std::string& bytes, otlp::decode_limits limits = {}) {
  return otlp::decode_protobuf(bytes, limits, arrival, peer);
}

}  // namespace

TEST_CASE("a log record maps onto an event: body, time, severity, resource, scope, ids",
          "[otlp][protobuf]") {
  const auto d = decode(sample_bytes(2));
  REQUIRE(d.ok);
  CHECK(d.rejected == 0);
  REQUIRE(d.events.size() == 2);
  const auto& e = d.events[1];
  CHECK(e.message == "order 1 placed");
  CHECK(e.time_ns == static_cast<std::int64_t>(t0 + 1));
  CHECK(e.time_from_log);
  CHECK(e.arrival_ns == arrival);
  CHECK(e.peer == peer);
  CHECK(e.severity == 6);
  CHECK(e.host == "web-1");
  CHECK(e.app == "checkout");
  CHECK(e.procid == "4242");
  CHECK(value_of(e, "user.name") == "alice");
  CHECK(value_of(e, "http.status_code") == "200");
  CHECK(value_of(e, "resource.service.name") == "checkout");
  CHECK(value_of(e, "resource.host.name") == "web-1");
  CHECK(value_of(e, "resource.process.pid") == "4242");
  CHECK(value_of(e, "scope.name") == "shop.orders");
  CHECK(value_of(e, "scope.version") == "1.2.0");
  CHECK(value_of(e, "severity_text") == "INFO");
  CHECK(value_of(e, "severity_number") == "9");
  CHECK(value_of(e, "trace_id") == "5b8efcf23c4031061a9ba2810d39265c");
  CHECK(value_of(e, "span_id") == "eb16945a5e7fa123");
}

TEST_CASE("attribute values of every kind become text; nested lists flatten with dots",
          "[otlp][protobuf]") {
  auto req = sample_request(1);
  auto* r = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0);
  r->clear_attributes();
  auto add = [&](const std::string& k) {
    auto* kv = r->add_attributes();
    kv->set_key(k);
    return kv->mutable_value();
  };
  add("b")->set_bool_value(true);
  add("d")->set_double_value(0.25);
  add("inf")->set_double_value(std::numeric_limits<double>::infinity());
  add("i")->set_int_value(-7);
  add("raw")->set_bytes_value(std::string("\x00\x01\xfe", 3));
  auto* arr = add("tags")->mutable_array_value();
  arr->add_values()->set_string_value("a\"b");
  arr->add_values()->set_int_value(2);
  auto* outer = add("http")->mutable_kvlist_value();
  auto* req_kv = outer->add_values();
  req_kv->set_key("request");
  auto* inner = req_kv->mutable_value()->mutable_kvlist_value();
  set_attr(inner->add_values(), "method", "POST");
  add("empty");
  const auto d = decode(req.SerializeAsString());
  REQUIRE(d.events.size() == 1);
  const auto& e = d.events[0];
  CHECK(value_of(e, "b") == "true");
  CHECK(value_of(e, "d") == "0.25");
  CHECK(value_of(e, "inf") == "Infinity");
  CHECK(value_of(e, "i") == "-7");
  CHECK(value_of(e, "raw") == "AAH+");
  CHECK(value_of(e, "tags") == R"(["a\"b",2])");
  CHECK(value_of(e, "http.request.method") == "POST");
  CHECK(value_of(e, "empty") == "");
}

TEST_CASE("a structured body is compact JSON and its keys are fields too", "[otlp][protobuf]") {
  auto req = sample_request(1);
  auto* r = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0);
  auto* kvl = r->mutable_body()->mutable_kvlist_value();
  set_attr(kvl->add_values(), "event", "login");
  auto* n = kvl->add_values();
  n->set_key("tries");
  n->mutable_value()->set_int_value(3);
  const auto d = decode(req.SerializeAsString());
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].message == R"({"event":"login","tries":3})");
  CHECK(value_of(d.events[0], "body.event") == "login");
  CHECK(value_of(d.events[0], "body.tries") == "3");
}

TEST_CASE("time falls back to the observed time, then to none", "[otlp][protobuf]") {
  auto req = sample_request(3);
  auto* sl = req.mutable_resource_logs(0)->mutable_scope_logs(0);
  sl->mutable_log_records(0)->set_time_unix_nano(0);
  sl->mutable_log_records(1)->set_time_unix_nano(0);
  sl->mutable_log_records(1)->set_observed_time_unix_nano(0);
  sl->mutable_log_records(2)->set_time_unix_nano(~0ULL);  // beyond int64: not a time
  const auto d = decode(req.SerializeAsString());
  REQUIRE(d.events.size() == 3);
  CHECK(d.events[0].time_ns == static_cast<std::int64_t>(t0 + 1000));
  CHECK(d.events[0].time_from_log);
  CHECK_FALSE(d.events[1].time_from_log);
  CHECK(d.events[2].time_ns == static_cast<std::int64_t>(t0 + 1000));
}

TEST_CASE("severity numbers map onto syslog by range; text stands in when unspecified",
          "[otlp][protobuf]") {
  CHECK(otlp::syslog_severity(0) == -1);
  CHECK(otlp::syslog_severity(1) == 7);
  CHECK(otlp::syslog_severity(8) == 7);
  CHECK(otlp::syslog_severity(9) == 6);
  CHECK(otlp::syslog_severity(12) == 6);
  CHECK(otlp::syslog_severity(13) == 4);
  CHECK(otlp::syslog_severity(17) == 3);
  CHECK(otlp::syslog_severity(20) == 3);
  CHECK(otlp::syslog_severity(21) == 2);
  CHECK(otlp::syslog_severity(23) == 1);
  CHECK(otlp::syslog_severity(24) == 0);
  CHECK(otlp::syslog_severity(25) == -1);
  CHECK(otlp::syslog_severity(-3) == -1);

  auto req = sample_request(3);
  auto* sl = req.mutable_resource_logs(0)->mutable_scope_logs(0);
  sl->mutable_log_records(0)->set_severity_number(otlp_pb::logs::v1::SEVERITY_NUMBER_UNSPECIFIED);
  sl->mutable_log_records(0)->set_severity_text("Warning");
  sl->mutable_log_records(1)->set_severity_number(otlp_pb::logs::v1::SEVERITY_NUMBER_ERROR2);
  // An enum value outside the specification's range still parses (open enum); it maps to none.
  sl->mutable_log_records(2)->set_severity_number(
      static_cast<otlp_pb::logs::v1::SeverityNumber>(99));
  sl->mutable_log_records(2)->clear_severity_text();
  const auto d = decode(req.SerializeAsString());
  REQUIRE(d.events.size() == 3);
  CHECK(d.events[0].severity == 4);
  CHECK(d.events[1].severity == 3);
  CHECK(d.events[2].severity == -1);
}

TEST_CASE("bad records are rejected one by one with reasons; the others are kept",
          "[otlp][protobuf]") {
  auto req = sample_request(8);
  auto* sl = req.mutable_resource_logs(0)->mutable_scope_logs(0);
  sl->mutable_log_records(1)->clear_body();  // no_body
  sl->mutable_log_records(2)->mutable_body()->set_string_value(std::string(70'000, 'x'));
  set_attr(sl->mutable_log_records(3)->add_attributes(), "big", std::string(70'000, 'y'));
  sl->mutable_log_records(4)->set_trace_id("short");             // bad_trace_id
  sl->mutable_log_records(5)->set_span_id(std::string(9, 'a'));  // bad_span_id
  for (int i = 0; i < 600; ++i)
    set_attr(sl->mutable_log_records(6)->add_attributes(), "k" + std::to_string(i), "v");
  sl->mutable_log_records(7)->clear_body();
  sl->mutable_log_records(7)->set_event_name("user.login");  // no body, but an event name
  const auto d = decode(req.SerializeAsString());
  REQUIRE(d.ok);
  CHECK(d.rejected == 6);
  CHECK(count(d, "no_body") == 1);
  CHECK(count(d, "oversized") == 2);
  CHECK(count(d, "bad_trace_id") == 1);
  CHECK(count(d, "bad_span_id") == 1);
  CHECK(count(d, "too_many_fields") == 1);
  CHECK(d.first_rejection.find("log record 1") != std::string::npos);
  REQUIRE(d.events.size() == 2);
  CHECK(d.events[0].message == "order 0 placed");
  CHECK(d.events[1].message == "user.login");
  CHECK(value_of(d.events[1], "event_name") == "user.login");
}

TEST_CASE("an all-zero trace id means no trace and is left out", "[otlp][protobuf]") {
  auto req = sample_request(1);
  auto* r = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0);
  r->set_trace_id(std::string(16, '\0'));
  r->clear_span_id();
  const auto d = decode(req.SerializeAsString());
  REQUIRE(d.events.size() == 1);
  CHECK(field(d.events[0], "trace_id") == nullptr);
  CHECK(field(d.events[0], "span_id") == nullptr);
}

TEST_CASE("invalid UTF-8 text does not fail the request; keys are repaired", "[otlp][protobuf]") {
  auto req = sample_request(1);
  auto* r = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0);
  r->mutable_body()->set_string_value("bad \xff byte");
  set_attr(r->add_attributes(), "k\xfe", "v\xc3");
  const auto d = decode(req.SerializeAsString());
  REQUIRE(d.ok);
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].message == "bad \xff byte");  // the source pipeline repairs or rejects it
  CHECK(field(d.events[0], "k\xEF\xBF\xBD") != nullptr);
}

TEST_CASE("empty and garbage requests", "[otlp][protobuf][hostile]") {
  const auto empty = decode("");
  CHECK(empty.ok);
  CHECK(empty.events.empty());
  const auto text = decode("this is not protobuf at all, just some text\n");
  CHECK_FALSE(text.ok);
  CHECK(text.error_reason == "bad_protobuf");
  CHECK(text.events.empty());
  const auto bad_tag = decode(std::string("\x0a\xff\xff\xff\xff\x0f", 6));
  CHECK_FALSE(bad_tag.ok);
}

TEST_CASE("every truncation of a valid request decodes or fails cleanly",
          "[otlp][protobuf][hostile]") {
  const auto bytes = sample_bytes(4);
  for (std::size_t n = 0; n <= bytes.size(); ++n) {
    const auto d = decode(bytes.substr(0, n));
    if (d.ok) {
      CHECK(d.events.size() + d.rejected <= 4);
    } else {
      CHECK(d.events.empty());
      CHECK_FALSE(d.error_reason.empty());
    }
  }
  CHECK(decode(bytes).events.size() == 4);
}

TEST_CASE("random bytes and bit flips never crash the decoder", "[otlp][protobuf][hostile]") {
  std::mt19937 rng(42);
  const auto valid = sample_bytes(4);
  std::size_t accepted = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string b;
    if (round % 2 == 0) {
      b.resize(rng() % 300);
      for (auto& c : b) c = static_cast<char>(rng());
    } else {
      b = valid;
      for (int k = 0; k < 3; ++k) b[rng() % b.size()] ^= static_cast<char>(1u << (rng() % 8));
    }
    const auto d = decode(b);
    accepted += d.events.size();
    for (const auto& e : d.events) CHECK(e.message.size() <= 65536);
  }
  CHECK(accepted > 0);  // flipped requests often still hold readable records
}

TEST_CASE("deep nesting is bounded: flattened to max_depth, JSON text beyond",
          "[otlp][protobuf][hostile]") {
  auto req = sample_request(1);
  auto* r = req.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0);
  r->clear_attributes();
  auto* kv = r->add_attributes();
  kv->set_key("n");
  auto* v = kv->mutable_value();
  // 25 levels (three protobuf messages each) stay within libprotobuf's recursion limit of 100.
  for (int i = 0; i < 25; ++i) {
    auto* inner = v->mutable_kvlist_value()->add_values();
    inner->set_key("x");
    v = inner->mutable_value();
  }
  v->set_string_value("leaf");
  const auto d = decode(req.SerializeAsString());
  REQUIRE(d.events.size() == 1);
  std::string key = "n";
  for (int i = 1; i < 16; ++i) key += ".x";
  const auto* deep = field(d.events[0], key);
  REQUIRE(deep != nullptr);
  CHECK(deep->find("\"leaf\"") != std::string::npos);
  CHECK(deep->front() == '{');

  // Past libprotobuf's own recursion limit the request as a whole is refused.
  otlp_pb::common::v1::AnyValue root;
  auto* cur = &root;
  for (int i = 0; i < 200; ++i) cur = cur->mutable_array_value()->add_values();
  auto deeper = sample_request(1);
  *deeper.mutable_resource_logs(0)->mutable_scope_logs(0)->mutable_log_records(0)->mutable_body() =
      root;
  const auto refused = decode(deeper.SerializeAsString());
  CHECK_FALSE(refused.ok);
  CHECK(refused.error_reason == "bad_protobuf");
}

TEST_CASE("a huge resource does not cost its size per record", "[otlp][protobuf][hostile]") {
  auto req = sample_request(50);
  auto* res = req.mutable_resource_logs(0)->mutable_resource();
  for (int i = 0; i < 5000; ++i) set_attr(res->add_attributes(), "r" + std::to_string(i), "v");
  const auto d = decode(req.SerializeAsString());
  CHECK(d.rejected == 50);
  CHECK(count(d, "too_many_fields") == 50);
  CHECK(d.events.empty());
}
