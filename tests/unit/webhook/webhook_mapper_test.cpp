// Webhook payload mapping: JSON paths in both spellings, templates, arrays of records, and
// hostile payloads (deep nesting, huge arrays, invalid UTF-8, NUL bytes, binary).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "runtime/webhook/json_path.hpp"
#include "runtime/webhook/value_spec.hpp"
#include "runtime/webhook/webhook_mapper.hpp"

using namespace seerflow;
using namespace seerflow::webhook;

namespace {

webhook_mapper compile(const mapping_spec& spec, mapper_limits lim = {}) {
  std::string err;
  auto m = webhook_mapper::compile(spec, "hook", lim, err);
  INFO(err);
  REQUIRE(m);
  return std::move(*m);
}

std::string field(const model::event& ev, std::string_view key) {
  for (const auto& f : ev.fields)
    if (f.key == key) return f.value;
  return "<absent>";
}

const char* push_event = R"({
  "ref": "refs/heads/main",
  "repository": {"full_name": "acme/api", "name": "api"},
  "pusher": {"name": "mallory"},
  "sender": {"login": "mallory"},
  "head_commit": {"timestamp": "2026-11-21T14:03:07+01:00", "message": "drop auth"},
  "commits": [{"id": "a1", "author": {"name": "Mallory M"}}, {"id": "b2"}]
})";

}  // namespace

TEST_CASE("json paths resolve dotted and pointer spellings", "[webhook]") {
  const auto doc = nlohmann::json::parse(
      R"({"a":{"b.c":[10,{"d":"x"}]},"k~/":1,"commits":[{"author":{"name":"n"}}]})");
  std::string err;
  auto p = json_path::parse("commits.0.author.name", err);
  REQUIRE(p);
  CHECK(p->resolve(doc)->get<std::string>() == "n");
  auto q = json_path::parse("/a/b.c/1/d", err);
  REQUIRE(q);
  CHECK(q->resolve(doc)->get<std::string>() == "x");
  auto esc = json_path::parse("/k~0~1", err);
  REQUIRE(esc);
  CHECK(esc->resolve(doc)->get<int>() == 1);
  // Missing keys, indexes past the end, steps into scalars and non-numeric indexes find nothing.
  for (const char* miss : {"a.x", "commits.1", "commits.-1", "commits.0x1", "a.b.c", "k~/.z",
                           "commits.99999999999999999999999"}) {
    auto m = json_path::parse(miss, err);
    REQUIRE(m);
    CHECK(m->resolve(doc) == nullptr);
  }
  CHECK_FALSE(json_path::parse("", err));
  CHECK_FALSE(json_path::parse("a..b", err));
  CHECK_FALSE(json_path::parse(".a", err));
  CHECK_FALSE(json_path::parse("/a~2", err));
  std::string long_path = "a";
  for (int i = 0; i < 100; ++i) long_path += ".a";
  CHECK_FALSE(json_path::parse(long_path, err));
  CHECK(err.find("more than") != std::string::npos);
}

TEST_CASE("value specs render paths and templates", "[webhook]") {
  const auto doc = nlohmann::json::parse(push_event);
  std::string err;
  auto t = value_spec::parse("{pusher.name} pushed {commits.0.id} to {repository.full_name}", err);
  REQUIRE(t);
  CHECK(*t->render(doc, 1000) == "mallory pushed a1 to acme/api");
  auto braces = value_spec::parse("{{literal}} {ref}", err);
  REQUIRE(braces);
  CHECK(*braces->render(doc, 1000) == "{literal} refs/heads/main");
  auto missing = value_spec::parse("{nope} and {also.nope}", err);
  REQUIRE(missing);
  CHECK_FALSE(missing->render(doc, 1000));
  auto obj = value_spec::parse("repository", err);
  REQUIRE(obj);
  CHECK(*obj->render(doc, 1000) == R"({"full_name":"acme/api","name":"api"})");
  CHECK(*obj->render(doc, 5) == R"({"ful)");
  CHECK_FALSE(value_spec::parse("{unclosed", err));
  CHECK_FALSE(value_spec::parse("a}b", err));
  CHECK_FALSE(value_spec::parse("{}", err));
}

TEST_CASE("a GitHub push payload maps into the fields detection uses", "[webhook]") {
  mapping_spec s;
  s.message = "push to {repository.full_name} by {pusher.name}: {head_commit.message}";
  s.user = "sender.login";
  s.app = "repository.name";
  s.timestamp = "head_commit.timestamp";
  s.fields = {{"repo", "repository.full_name"}, {"first_author", "commits.0.author.name"}};
  std::vector<model::event> out;
  REQUIRE_FALSE(compile(s).decode(push_event, 42, "127.0.0.1:1", out));
  REQUIRE(out.size() == 1);
  const auto& ev = out[0];
  CHECK(ev.message == "push to acme/api by mallory: drop auth");
  CHECK(ev.app == "api");
  CHECK(ev.time_from_log);
  CHECK(ev.time_ns == 1795266187000000000LL);  // 2026-11-21T13:03:07Z
  CHECK(ev.arrival_ns == 42);
  CHECK(ev.peer == "127.0.0.1:1");
  CHECK(field(ev, "user") == "mallory");
  CHECK(field(ev, "repo") == "acme/api");
  CHECK(field(ev, "first_author") == "Mallory M");
  // Flattened leaves are there too, for Sigma rules on any key.
  CHECK(field(ev, "repository.full_name") == "acme/api");
  CHECK(field(ev, "ref") == "refs/heads/main");
  CHECK(field(ev, "commits") == R"([{"author":{"name":"Mallory M"},"id":"a1"},{"id":"b2"}])");
}

TEST_CASE("a Kubernetes EventList gives one event per item", "[webhook]") {
  mapping_spec s;
  s.records = "items";
  s.message = "message";
  s.host = "source.host";
  s.app = "involvedObject.name";
  s.severity = "type";
  s.timestamp = "lastTimestamp";
  s.fields = {{"reason", "reason"}, {"namespace", "involvedObject.namespace"}};
  const char* list = R"({"kind":"EventList","apiVersion":"v1","items":[
    {"type":"Warning","reason":"BackOff","message":"Back-off restarting failed container",
     "source":{"component":"kubelet","host":"node-7"},"lastTimestamp":"2026-11-21T10:00:00Z",
     "involvedObject":{"kind":"Pod","name":"api-7d9","namespace":"prod"}},
    {"type":"Normal","reason":"Pulled","message":"Container image pulled",
     "source":{"host":"node-8"},"involvedObject":{"name":"web-1","namespace":"prod"}}]})";
  std::vector<model::event> out;
  REQUIRE_FALSE(compile(s).decode(list, 1, "p", out));
  REQUIRE(out.size() == 2);
  CHECK(out[0].message == "Back-off restarting failed container");
  CHECK(out[0].host == "node-7");
  CHECK(out[0].app == "api-7d9");
  CHECK(out[0].severity == 4);
  CHECK(out[0].time_from_log);
  CHECK(field(out[0], "reason") == "BackOff");
  CHECK(field(out[0], "namespace") == "prod");
  CHECK(out[1].severity == 6);
  CHECK_FALSE(out[1].time_from_log);  // no timestamp: the pipeline falls back to arrival
  CHECK(out[1].host == "node-8");

  // No `records` path: a top-level array is a batch of records; an unmapped message is the
  // record itself; an unmapped app is the endpoint's name.
  std::vector<model::event> arr;
  REQUIRE_FALSE(compile(mapping_spec{}).decode(R"([{"a":1},{"b":"x"},3])", 1, "p", arr));
  REQUIRE(arr.size() == 3);
  CHECK(arr[0].message == R"({"a":1})");
  CHECK(arr[2].message == "3");
  CHECK(arr[1].app == "hook");
}

TEST_CASE("severity and time values in their usual forms", "[webhook]") {
  using nlohmann::json;
  CHECK(severity_of(json(3)) == 3);
  CHECK(severity_of(json(9)) == -1);
  CHECK(severity_of(json("ERROR")) == 3);
  CHECK(severity_of(json("warning")) == 4);
  CHECK(severity_of(json("5")) == 5);
  CHECK(severity_of(json("bogus")) == -1);
  CHECK(severity_of(json::array()) == -1);
  CHECK(*time_of(json(1700000000)) == 1700000000000000000LL);
  CHECK(*time_of(json(1700000000123LL)) == 1700000000123000000LL);
  CHECK(*time_of(json("1700000000.5")) == 1700000000500000000LL);
  CHECK(*time_of(json("2023-11-14T22:13:20Z")) == 1700000000000000000LL);
  CHECK_FALSE(time_of(json(-5)));
  CHECK_FALSE(time_of(json("yesterday")));
  CHECK_FALSE(time_of(json(1e300)));
  CHECK_FALSE(time_of(json(nullptr)));
}

TEST_CASE("hostile payloads are refused with a reason and never crash", "[webhook]") {
  const auto m = compile(mapping_spec{});
  std::vector<model::event> out;
  SECTION("deep nesting is refused before parsing") {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const auto err = m.decode(deep, 1, "p", out);
    REQUIRE(err);
    CHECK(err->reason == "too_deep");
    // Brackets inside strings do not count.
    CHECK_FALSE(m.decode(R"({"s":")" + std::string(1000, '[') + R"("})", 1, "p", out));
  }
  SECTION("huge arrays are refused as a whole") {
    std::string big = "[";
    for (int i = 0; i < 20000; ++i) big += i ? ",{}" : "{}";
    big += "]";
    const auto err = m.decode(big, 1, "p", out);
    REQUIRE(err);
    CHECK(err->reason == "too_many_records");
    CHECK(out.empty());
  }
  SECTION("invalid UTF-8, raw NUL and binary are bad JSON") {
    for (const std::string& bad :
         {std::string("{\"a\":\"\xff\xfe\"}"), std::string("{\"a\":\"x\0y\"}", 11),
          std::string("\x00\x01\x02\x03garbage", 11), std::string("{\"a\":"), std::string(""),
          std::string("{\"a\":1}{\"b\":2}")}) {
      const auto err = m.decode(bad, 1, "p", out);
      REQUIRE(err);
      CHECK(err->reason == "bad_json");
      CHECK_FALSE(err->detail.empty());
    }
    CHECK(out.empty());
  }
  SECTION("escaped NUL survives as U+FFFD, not as a cut string") {
    mapping_spec s;
    s.message = "m";
    REQUIRE_FALSE(compile(s).decode(R"({"m":"before\u0000after"})", 1, "p", out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].message ==
          "before\xEF\xBF\xBD"
          "after");
  }
  SECTION("many keys and long values are bounded") {
    mapper_limits lim;
    lim.max_fields = 10;
    lim.max_value = 16;
    nlohmann::json obj;
    for (int i = 0; i < 1000; ++i) obj["k" + std::to_string(i)] = std::string(100, 'v');
    REQUIRE_FALSE(compile(mapping_spec{}, lim).decode(obj.dump(), 1, "p", out));
    REQUIRE(out.size() == 1);
    CHECK(out[0].fields.size() == 10);
    for (const auto& f : out[0].fields) CHECK(f.value.size() == 16);
  }
  SECTION("a records path that is missing is refused") {
    mapping_spec s;
    s.records = "items";
    const auto err = compile(s).decode(R"({"kind":"Event"})", 1, "p", out);
    REQUIRE(err);
    CHECK(err->reason == "no_records");
  }
}

TEST_CASE("bad mapping specs are refused at compile time with the field named", "[webhook]") {
  std::string err;
  mapping_spec s;
  s.host = "a..b";
  CHECK_FALSE(webhook_mapper::compile(s, "x", {}, err));
  CHECK(err.rfind("host: ", 0) == 0);
  mapping_spec t;
  t.fields = {{"repo", "{unclosed"}};
  CHECK_FALSE(webhook_mapper::compile(t, "x", {}, err));
  CHECK(err.rfind("fields.repo: ", 0) == 0);
}
