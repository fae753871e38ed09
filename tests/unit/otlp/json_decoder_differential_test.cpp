// The OTLP/JSON decoder against the binary path: random requests (every AnyValue kind, nesting,
// control characters and multi-byte text, 64-bit extremes, NaN and infinities, trace and span
// ids) are written in OTLP's JSON mapping by an independent JSON writer (nlohmann/json: escapes,
// \u escapes with surrogate pairs when ensure_ascii, shortest round-trip doubles), with
// camelCase or snake_case names and enums as names or numbers, decoded by our reader, and must
// give exactly the events the protobuf decoder gives for the same request in binary form.
// (libprotobuf's own JSON printer cannot serve: our .proto subset types text fields as bytes.)
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <random>

#include <nlohmann/json.hpp>

#include "runtime/otlp/json_decoder.hpp"
#include "runtime/otlp/json_text.hpp"
#include "runtime/otlp/protobuf_decoder.hpp"
#include "tests/unit/otlp/otlp_test_support.hpp"

using namespace seerflow;
using namespace seerflow::test;

namespace {

namespace common = otlp_pb::common::v1;

const std::string peer = "otlp-http:127.0.0.1:5000";
constexpr std::int64_t arrival = 1'800'000'000'000'000'000;

class generator {
 public:
  explicit generator(std::uint32_t seed) : rng_(seed) {}

  export_request_pb request() {
    export_request_pb req;
    const int resources = 1 + pick(3);
    for (int r = 0; r < resources; ++r) {
      auto* rl = req.add_resource_logs();
      const int attrs = pick(4);
      for (int a = 0; a < attrs; ++a) key_value(rl->mutable_resource()->add_attributes(), 0);
      if (pick(2)) set_attr(rl->mutable_resource()->add_attributes(), "service.name", text());
      const int scopes = 1 + pick(2);
      for (int s = 0; s < scopes; ++s) {
        auto* sl = rl->add_scope_logs();
        if (pick(2)) {
          sl->mutable_scope()->set_name(text());
          sl->mutable_scope()->set_version(text());
          if (pick(2)) key_value(sl->mutable_scope()->add_attributes(), 0);
        }
        const int records = pick(8);
        for (int i = 0; i < records; ++i) record(sl->add_log_records());
      }
    }
    return req;
  }

  int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

 private:
  std::string text() {
    static const char* const pieces[] = {"a",
                                         "order",
                                         " ",
                                         "\"",
                                         "\\",
                                         "/",
                                         "\n",
                                         "\t",
                                         "\r",
                                         "\x01",
                                         "\x1f",
                                         "\x7f",
                                         "<",
                                         ">",
                                         "&",
                                         "'",
                                         "\xc3\xa9",
                                         "\xe2\x82\xac",
                                         "\xf0\x9f\x98\x80",
                                         "\xe2\x80\xa8",
                                         "\xef\xbb\xbf",
                                         "{",
                                         "}",
                                         "[",
                                         "]",
                                         ":",
                                         ",",
                                         "null",
                                         "0"};
    std::string s;
    const int n = pick(6);
    for (int i = 0; i < n; ++i) s += pieces[pick(sizeof pieces / sizeof *pieces)];
    return s;
  }

  std::int64_t int64() {
    switch (pick(5)) {
      case 0:
        return std::numeric_limits<std::int64_t>::min();
      case 1:
        return std::numeric_limits<std::int64_t>::max();
      case 2:
        return 0;
      default:
        return static_cast<std::int64_t>(rng_()) >> pick(63);
    }
  }

  double real() {
    switch (pick(9)) {
      case 0:
        return std::numeric_limits<double>::quiet_NaN();
      case 1:
        return std::numeric_limits<double>::infinity();
      case 2:
        return -std::numeric_limits<double>::infinity();
      case 3:
        return -0.0;
      case 4:
        return std::numeric_limits<double>::denorm_min();
      case 5:
        return std::numeric_limits<double>::max();
      case 6:
        return 0.1;
      default: {
        std::uniform_real_distribution<double> d(-1e6, 1e6);
        return d(rng_) * std::pow(10.0, pick(40) - 20);
      }
    }
  }

  void value(common::AnyValue* v, int depth) {
    switch (pick(depth < 3 ? 8 : 6)) {
      case 0:
        v->set_string_value(text());
        break;
      case 1:
        v->set_bool_value(pick(2) == 1);
        break;
      case 2:
        v->set_int_value(int64());
        break;
      case 3:
        v->set_double_value(real());
        break;
      case 4:
        v->set_bytes_value(random_bytes(static_cast<std::size_t>(pick(7))));
        break;
      case 5:
        break;  // no value: OTLP's null
      case 6: {
        auto* arr = v->mutable_array_value();
        const int n = pick(4);
        for (int i = 0; i < n; ++i) value(arr->add_values(), depth + 1);
        break;
      }
      default: {
        auto* kvl = v->mutable_kvlist_value();
        const int n = pick(4);
        for (int i = 0; i < n; ++i) key_value(kvl->add_values(), depth + 1);
      }
    }
  }

  void key_value(common::KeyValue* kv, int depth) {
    kv->set_key(pick(3) ? "k" + std::to_string(pick(50)) : text());
    value(kv->mutable_value(), depth);
  }

  void record(otlp_pb::logs::v1::LogRecord* r) {
    if (pick(4)) r->set_time_unix_nano(rng_() >> pick(2));
    if (pick(2)) r->set_observed_time_unix_nano(rng_());
    r->set_severity_number(static_cast<otlp_pb::logs::v1::SeverityNumber>(pick(25)));
    if (pick(2)) r->set_severity_text(pick(2) ? "WARN" : text());
    if (pick(8)) value(r->mutable_body(), 0);
    if (pick(3) == 0) r->set_event_name(text());
    const int attrs = pick(5);
    for (int a = 0; a < attrs; ++a) key_value(r->add_attributes(), 0);
    if (pick(2)) r->set_flags(static_cast<std::uint32_t>(rng_()));
    if (pick(2)) r->set_trace_id(random_bytes(16));
    if (pick(2)) r->set_span_id(random_bytes(8));
  }

  std::string random_bytes(std::size_t n) {
    std::string b(n, '\0');
    for (auto& c : b) c = static_cast<char>(rng_());
    return b;
  }

  std::mt19937_64 rng_;
};

// OTLP's JSON mapping of a request, written with nlohmann/json.
class writer {
 public:
  writer(bool snake, bool enum_numbers) : snake_(snake), enum_numbers_(enum_numbers) {}

  nlohmann::ordered_json request(const export_request_pb& req) const {
    nlohmann::ordered_json rls = nlohmann::ordered_json::array();
    for (const auto& rl : req.resource_logs()) {
      nlohmann::ordered_json j;
      j["resource"]["attributes"] = key_values(rl.resource().attributes());
      nlohmann::ordered_json sls = nlohmann::ordered_json::array();
      for (const auto& sl : rl.scope_logs()) {
        nlohmann::ordered_json s;
        if (sl.has_scope())
          s["scope"] = {{"name", sl.scope().name()},
                        {"version", sl.scope().version()},
                        {"attributes", key_values(sl.scope().attributes())}};
        nlohmann::ordered_json lrs = nlohmann::ordered_json::array();
        for (const auto& lr : sl.log_records()) lrs.push_back(record(lr));
        s[name("logRecords", "log_records")] = std::move(lrs);
        sls.push_back(std::move(s));
      }
      j[name("scopeLogs", "scope_logs")] = std::move(sls);
      rls.push_back(std::move(j));
    }
    return {{name("resourceLogs", "resource_logs"), std::move(rls)}};
  }

 private:
  const char* name(const char* camel, const char* snake) const { return snake_ ? snake : camel; }

  static std::string hex(const std::string& bytes) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string s;
    for (unsigned char c : bytes) {
      s += digits[c >> 4];
      s += digits[c & 15];
    }
    return s;
  }

  nlohmann::ordered_json value(const common::AnyValue& v) const {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    switch (v.value_case()) {
      case common::AnyValue::kStringValue:
        j[name("stringValue", "string_value")] = v.string_value();
        break;
      case common::AnyValue::kBoolValue:
        j[name("boolValue", "bool_value")] = v.bool_value();
        break;
      case common::AnyValue::kIntValue:
        j[name("intValue", "int_value")] = std::to_string(v.int_value());
        break;
      case common::AnyValue::kDoubleValue: {
        const double d = v.double_value();
        if (std::isnan(d))
          j[name("doubleValue", "double_value")] = "NaN";
        else if (std::isinf(d))
          j[name("doubleValue", "double_value")] = d > 0 ? "Infinity" : "-Infinity";
        else
          j[name("doubleValue", "double_value")] = d;
        break;
      }
      case common::AnyValue::kBytesValue: {
        std::string b64;
        otlp::append_base64(b64, v.bytes_value());
        j[name("bytesValue", "bytes_value")] = b64;
        break;
      }
      case common::AnyValue::kArrayValue: {
        nlohmann::ordered_json values = nlohmann::ordered_json::array();
        for (const auto& e : v.array_value().values()) values.push_back(value(e));
        j[name("arrayValue", "array_value")]["values"] = std::move(values);
        break;
      }
      case common::AnyValue::kKvlistValue:
        j[name("kvlistValue", "kvlist_value")]["values"] = key_values(v.kvlist_value().values());
        break;
      default:
        break;
    }
    return j;
  }

  template <class List>
  nlohmann::ordered_json key_values(const List& list) const {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto& kv : list) a.push_back({{"key", kv.key()}, {"value", value(kv.value())}});
    return a;
  }

  nlohmann::ordered_json record(const otlp_pb::logs::v1::LogRecord& lr) const {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    if (lr.time_unix_nano() != 0)
      j[name("timeUnixNano", "time_unix_nano")] = std::to_string(lr.time_unix_nano());
    if (lr.observed_time_unix_nano() != 0)
      j[name("observedTimeUnixNano", "observed_time_unix_nano")] =
          std::to_string(lr.observed_time_unix_nano());
    if (enum_numbers_)
      j[name("severityNumber", "severity_number")] = static_cast<int>(lr.severity_number());
    else
      j[name("severityNumber", "severity_number")] =
          otlp_pb::logs::v1::SeverityNumber_Name(lr.severity_number());
    if (!lr.severity_text().empty()) j[name("severityText", "severity_text")] = lr.severity_text();
    if (lr.has_body()) j["body"] = value(lr.body());
    j["attributes"] = key_values(lr.attributes());
    if (lr.flags() != 0) j["flags"] = lr.flags();
    if (!lr.trace_id().empty()) j[name("traceId", "trace_id")] = hex(lr.trace_id());
    if (!lr.span_id().empty()) j[name("spanId", "span_id")] = hex(lr.span_id());
    if (!lr.event_name().empty()) j[name("eventName", "event_name")] = lr.event_name();
    return j;
  }

  bool snake_, enum_numbers_;
};

}  // namespace

TEST_CASE("random requests in OTLP/JSON decode like their binary form", "[otlp][json]") {
  generator gen(2026);
  std::size_t events = 0, rejected = 0;
  for (int round = 0; round < 400; ++round) {
    const auto req = gen.request();
    const writer jw(gen.pick(2) == 1, gen.pick(2) == 1);
    const std::string json =
        jw.request(req).dump(gen.pick(2) ? -1 : 1, '\t', /*ensure_ascii=*/gen.pick(2) == 1);
    INFO(json);
    const auto want = otlp::decode_protobuf(req.SerializeAsString(), {}, arrival, peer);
    const auto got = otlp::decode_json(json, {}, arrival, peer);
    REQUIRE(want.ok);
    REQUIRE(got.ok);
    CHECK(got.rejected == want.rejected);
    CHECK(got.rejected_by_reason == want.rejected_by_reason);
    REQUIRE(got.events.size() == want.events.size());
    for (std::size_t i = 0; i < got.events.size(); ++i) {
      const auto& g = got.events[i];
      const auto& w = want.events[i];
      CHECK(g.message == w.message);
      CHECK(g.time_ns == w.time_ns);
      CHECK(g.time_from_log == w.time_from_log);
      CHECK(g.severity == w.severity);
      CHECK(g.host == w.host);
      CHECK(g.app == w.app);
      CHECK(g.procid == w.procid);
      CHECK(g.fields == w.fields);
    }
    events += got.events.size();
    rejected += got.rejected;
  }
  // The generator really exercised both outcomes.
  CHECK(events > 1000);
  CHECK(rejected > 10);
}

TEST_CASE("mutated random requests never crash the decoder", "[otlp][json][hostile]") {
  // SEERFLOW_OTLP_FUZZ_ROUNDS raises the count for a longer run (under ASan, say).
  const char* env = std::getenv("SEERFLOW_OTLP_FUZZ_ROUNDS");
  const int rounds = env ? std::atoi(env) : 300;
  generator gen(77);
  std::mt19937_64 rng(78);
  const std::string alphabet = "{}[]\":,0123456789abcdefnulltrue \\/u-+.eE\xff\xc3\xa9\x80\x01";
  std::size_t failed = 0;
  for (int round = 0; round < rounds; ++round) {
    const writer jw(gen.pick(2) == 1, gen.pick(2) == 1);
    std::string json = jw.request(gen.request()).dump(-1, ' ', gen.pick(2) == 1);
    const int edits = 1 + gen.pick(6);
    for (int k = 0; k < edits && !json.empty(); ++k) {
      const auto pos = static_cast<std::size_t>(rng() % json.size());
      switch (gen.pick(5)) {
        case 0:
          json[pos] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          json.erase(pos, 1 + rng() % 8);
          break;
        case 2:
          json.insert(pos, 1, alphabet[rng() % alphabet.size()]);
          break;
        case 3:
          json.resize(pos);  // truncated
          break;
        default:  // a span copied elsewhere: nesting and duplicated members
          json.insert(rng() % json.size(), json.substr(pos, rng() % 64));
      }
    }
    const auto d = otlp::decode_json(json, {}, arrival, peer);
    if (!d.ok) {
      CHECK(d.events.empty());
      CHECK_FALSE(d.error_reason.empty());
      ++failed;
    }
  }
  CHECK(failed > 0);
}
