#include "runtime/parse/jsonl_decoder.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/util/civil_time.hpp"
#include "runtime/util/utf8.hpp"
#include "tests/unit/parse/loghub.hpp"

using seerflow::model::event;
using seerflow::model::field;
using seerflow::parse::decode_jsonl;
using seerflow::parse::decode_notes;
using seerflow::parse::decode_options;
using seerflow::parse::rejection;
using seerflow::util::format_rfc3339;

namespace {

struct decoded {
  bool ok = false;
  event ev;
  rejection why;
  decode_notes notes;
  std::string time() const { return ev.time_from_log ? format_rfc3339(ev.time_ns) : "none"; }
};

decoded run(std::string_view line, const decode_options& o = {}) {
  decoded d;
  d.ev.time_ns = 5;
  d.ok = decode_jsonl(line, o, d.ev, d.why, d.notes);
  if (!d.ok) CHECK_FALSE(d.why.detail.empty());
  return d;
}

std::string_view reason_of(std::string_view line, const decode_options& o = {}) {
  const auto d = run(line, o);
  return d.ok ? "accepted" : d.why.reason;
}

std::string time_of(std::string_view line) {
  return run(line).time();
}
int severity_of(std::string_view line) {
  return run(line).ev.severity;
}

}  // namespace

TEST_CASE("well-known members fill the event - the rest become flattened fields in order") {
  const auto d = run(
      R"({"message":"hello","@timestamp":"2023-01-01T10:00:00.5Z","host":"web1","app":"api",)"
      R"("pid":1234,"level":"warn","user":"bob","n":5,"f":1.50,"ok":true,"nil":null,)"
      R"("tags":["a",1,{"b":[2,null]},[]],"ctx":{"req":{"id":"r1"},"empty":{}},"big":123456789012345678901234567890})"
      "\r\n");
  REQUIRE(d.ok);
  CHECK(d.ev.message == "hello");
  CHECK(d.time() == "2023-01-01T10:00:00.5Z");
  CHECK(d.ev.host == "web1");
  CHECK(d.ev.app == "api");
  CHECK(d.ev.procid == "1234");
  CHECK(d.ev.msgid.empty());
  CHECK(d.ev.severity == 4);
  CHECK(d.ev.facility == -1);
  CHECK(d.ev.fields == std::vector<field>{{"user", "bob"},
                                          {"n", "5"},
                                          {"f", "1.50"},
                                          {"ok", "true"},
                                          {"nil", "null"},
                                          {"tags", R"(["a",1,{"b":[2,null]},[]])"},
                                          {"ctx.req.id", "r1"},
                                          {"ctx.empty", "{}"},
                                          {"big", "123456789012345678901234567890"}});
  CHECK_FALSE(d.notes.time_missing);
  CHECK_FALSE(d.notes.header_missing);
}

TEST_CASE("candidates are taken by priority - the ones not taken stay fields") {
  const auto d = run(R"({"msg":"second","message":"first","hostname":"h2","host":"h1"})");
  REQUIRE(d.ok);
  CHECK(d.ev.message == "first");
  CHECK(d.ev.host == "h1");
  CHECK(d.ev.fields == std::vector<field>{{"msg", "second"}, {"hostname", "h2"}});

  const auto ecs = run(
      R"({"@timestamp":"2023-05-01T00:00:00Z","log":{"level":"error","logger":"x"},)"
      R"("host":{"name":"node-7","ip":"10.0.0.7"},"service":{"name":"checkout"},"message":"m"})");
  REQUIRE(ecs.ok);
  CHECK(ecs.ev.severity == 3);
  CHECK(ecs.ev.host == "node-7");
  CHECK(ecs.ev.app == "checkout");
  CHECK(ecs.ev.fields == std::vector<field>{{"log.logger", "x"}, {"host.ip", "10.0.0.7"}});

  const auto dotted = run(R"({"host.name":"h","service.name":"s","log.level":"DEBUG","text":"t"})");
  REQUIRE(dotted.ok);
  CHECK(dotted.ev.host == "h");
  CHECK(dotted.ev.app == "s");
  CHECK(dotted.ev.severity == 7);
  CHECK(dotted.ev.message == "t");
  CHECK(dotted.ev.fields.empty());

  for (const char* app_key : {"app", "program", "appname", "service", "logger"}) {
    INFO(app_key);
    const auto a = run(std::string(R"({"body":"b",")") + app_key + R"(":"x"})");
    REQUIRE(a.ok);
    CHECK(a.ev.app == "x");
    CHECK(a.ev.message == "b");
  }
  CHECK(run(R"({"log":"l"})").ev.message == "l");
  // Scalars other than strings are messages too; null, objects and arrays are not.
  CHECK(run(R"({"message":42})").ev.message == "42");
  CHECK(run(R"({"message":false})").ev.message == "false");
  const auto skip = run(R"({"message":null,"msg":{"a":1},"log":[1],"body":"b"})");
  REQUIRE(skip.ok);
  CHECK(skip.ev.message == "b");
  CHECK(skip.ev.fields == std::vector<field>{{"message", "null"}, {"msg.a", "1"}, {"log", "[1]"}});
  // A host that is not a string stays a field.
  const auto h = run(R"({"message":"m","host":7})");
  CHECK(h.ev.host.empty());
  CHECK(h.ev.fields == std::vector<field>{{"host", "7"}});
}

TEST_CASE("time from strings in any known format, or epoch numbers by magnitude") {
  CHECK(time_of(R"({"m":1,"message":"x","timestamp":"2015-10-18 18:01:47,978"})") ==
        "2015-10-18T18:01:47.978Z");
  CHECK(time_of(R"({"message":"x","time":"2015-10-18T18:01:47+02:00"})") == "2015-10-18T16:01:47Z");
  CHECK(time_of(R"({"message":"x","ts":" 1514038530 "})") == "2017-12-23T14:15:30Z");
  CHECK(time_of(R"({"message":"x","ts":1514038530})") == "2017-12-23T14:15:30Z");
  CHECK(time_of(R"({"message":"x","ts":1514038530.25})") == "2017-12-23T14:15:30.25Z");
  CHECK(time_of(R"({"message":"x","ts":1514038530123})") == "2017-12-23T14:15:30.123Z");
  CHECK(time_of(R"({"message":"x","ts":1514038530123.5})") == "2017-12-23T14:15:30.1235Z");
  CHECK(time_of(R"({"message":"x","ts":1514038530123456})") == "2017-12-23T14:15:30.123456Z");
  CHECK(time_of(R"({"message":"x","ts":1514038530123456789})") == "2017-12-23T14:15:30.123456789Z");
  CHECK(time_of(R"({"message":"x","ts":1.51403853e9})") == "2017-12-23T14:15:30Z");
  CHECK(time_of(R"({"message":"x","ts":0})") == "1970-01-01T00:00:00Z");
  for (const char* bad :
       {R"({"message":"x","ts":-1})", R"({"message":"x","ts":1e300})",
        R"({"message":"x","ts":4102444800})", R"({"message":"x","ts":"soon"})",
        R"({"message":"x","ts":"2015-10-18 18:01:47 and more"})", R"({"message":"x","ts":true})",
        R"({"message":"x","ts":[1514038530]})", R"({"message":"x","time":{"sec":1514038530}})"}) {
    INFO(bad);
    const auto d = run(bad);
    REQUIRE(d.ok);
    CHECK_FALSE(d.ev.time_from_log);
    CHECK(d.ev.time_ns == 5);
    CHECK(d.notes.time_missing);
    CHECK_FALSE(d.ev.fields.empty());  // the unusable time stays as a field
  }
  // A candidate that does not parse gives way to the next one.
  const auto d = run(R"({"message":"x","@timestamp":"garbage","time":"2020-01-01T00:00:00Z"})");
  CHECK(d.time() == "2020-01-01T00:00:00Z");
  CHECK(d.ev.fields == std::vector<field>{{"@timestamp", "garbage"}});
  decode_options o;
  o.time.utc_offset_s = -3600;
  CHECK(run(R"({"message":"x","time":"2020-01-01 00:00:00"})", o).time() == "2020-01-01T01:00:00Z");
}

TEST_CASE("severity from level words, syslog numbers and pino levels") {
  CHECK(severity_of(R"({"message":"x","level":"INFO"})") == 6);
  CHECK(severity_of(R"({"message":"x","level":"Warning"})") == 4);
  CHECK(severity_of(R"({"message":"x","severity":"emerg"})") == 0);
  CHECK(severity_of(R"({"message":"x","severity":"critical"})") == 2);
  CHECK(severity_of(R"({"message":"x","level":"fatal"})") == 2);
  CHECK(severity_of(R"({"message":"x","level":"trace"})") == 7);
  CHECK(severity_of(R"({"message":"x","level":"ERR"})") == 3);
  CHECK(severity_of(R"({"message":"x","severity":3})") == 3);
  CHECK(severity_of(R"({"message":"x","severity":"5"})") == 5);
  CHECK(severity_of(R"({"message":"x","level":30})") == 6);
  CHECK(severity_of(R"({"message":"x","level":50})") == 3);
  CHECK(severity_of(R"({"message":"x","level":60})") == 2);
  CHECK(severity_of(R"({"message":"x","level":10})") == 7);
  CHECK(severity_of(R"({"message":"x","level":40})") == 4);
  CHECK(severity_of(R"({"message":"x","level":8})") == -1);
  CHECK(severity_of(R"({"message":"x","level":"loud"})") == -1);
  CHECK(severity_of(R"({"message":"x","level":3.5})") == -1);
  CHECK(severity_of(R"({"message":"x","level":"loud","severity":"err"})") == 3);
  const auto kept = run(R"({"message":"x","level":"loud"})");
  CHECK(kept.ev.fields == std::vector<field>{{"level", "loud"}});
}

TEST_CASE("strings are unescaped - captured arrays are re-escaped compactly") {
  const auto d = run(
      R"({"message":"a\"b\\c\nd\u00e9\ud83d\ude00\t","arr":["q\"","\n\u0001","\u00e9"],"k\"ey":"v"})");
  REQUIRE(d.ok);
  CHECK(d.ev.message == "a\"b\\c\nd\xC3\xA9\xF0\x9F\x98\x80\t");
  CHECK(d.ev.fields ==
        std::vector<field>{{"arr", "[\"q\\\"\",\"\\n\\u0001\",\"\xC3\xA9\"]"}, {"k\"ey", "v"}});
  // The captured text is JSON nlohmann reads back to the same array.
  CHECK(nlohmann::json::parse(d.ev.fields[0].value) ==
        nlohmann::json::parse(R"(["q\"","\n\u0001","\u00e9"])"));
  const auto e = run(R"({"":1,"message":"x","a":{"":2},"x":1,"x":2})");
  REQUIRE(e.ok);
  CHECK(e.ev.fields == std::vector<field>{{"", "1"}, {"a.", "2"}, {"x", "1"}, {"x", "2"}});
  CHECK(run("\xEF\xBB\xBF{\"message\":\"bom\"}").ev.message == "bom");
  CHECK(run("  {\"message\" : \"spaced\" }  ").ev.message == "spaced");
}

TEST_CASE("JSON rejections: bad_json with a position, not_object, no_message, too_deep") {
  const auto bad = run(R"({"message": "x", "a":})");
  CHECK(bad.why.reason == "bad_json");
  CHECK(bad.why.detail == "at byte 21: expected a value");
  CHECK(bad.ev.time_ns == 5);  // untouched
  CHECK(bad.ev.message.empty());
  for (const char* s :
       {R"({"message":"x")", R"({"message":"x"} x)", R"({'message':'x'})", R"({"message":"x",})",
        "{", "}", "nul", R"({"message":"a)", "{\"message\":\"a\x01\"}", R"({"message":"\ud800"})",
        R"({"a":01})", R"({"message":"x"}{"message":"y"})", "{\"a\":1e}", "x"}) {
    INFO(s);
    CHECK(reason_of(s) == "bad_json");
  }
  for (const char* s : {"[1,2]", "[]", R"("str")", "42", "null", "true", "[{\"message\":1}]"}) {
    INFO(s);
    CHECK(reason_of(s) == "not_object");
  }
  for (const char* s : {"{}", R"({"a":1})", R"({"message":null})", R"({"message":[1]})",
                        R"({"message":{"text":"x"}})", R"({"MESSAGE":"x"})"}) {
    INFO(s);
    CHECK(reason_of(s) == "no_message");
  }
  // 64 levels are fine, 65 are not - objects or arrays, and far deeper input fails fast.
  auto nested = [](int levels, bool arrays) {
    std::string s = "{\"message\":\"x\",\"d\":";
    for (int i = 1; i < levels; ++i) s += arrays ? "[" : "{\"k\":";
    s += "1";
    for (int i = 1; i < levels; ++i) s += arrays ? "]" : "}";
    return s + "}";
  };
  CHECK(reason_of(nested(64, false)) == "accepted");
  CHECK(reason_of(nested(65, false)) == "too_deep");
  CHECK(reason_of(nested(64, true)) == "accepted");
  CHECK(reason_of(nested(65, true)) == "too_deep");
  CHECK(run(nested(64, false)).ev.fields.front().key.size() == 1 + 63 * 2);  // "d" and 63 ".k"
  CHECK(reason_of(std::string(100000, '[')) == "not_object");
  CHECK(reason_of("{\"a\":" + std::string(100000, '[')) == "too_deep");
  CHECK(reason_of("{\"a\":" + std::string(50000, '{')) == "bad_json");  // keys expected
}

TEST_CASE("JSON lines share the common checks") {
  CHECK(reason_of("") == "empty");
  CHECK(reason_of("\r\n") == "empty");
  CHECK(reason_of(std::string("{\"message\":\"a\0\"}", 16)) == "binary");
  decode_options o;
  o.max_message = 20;
  CHECK(reason_of(R"({"message":"0123456789ABCDEFGHIJ"})", o) == "accepted");
  CHECK(reason_of(R"({"message":"0123456789ABCDEFGHIJK"})", o) == "oversized");
  CHECK(reason_of(R"({"message":"x","pad":"0123456789ABCDEFGHIJ"})", o) ==
        "oversized");  // the line is over twice the limit
  const std::string invalid = "{\"message\":\"caf\xE9\"}";
  const auto repaired = run(invalid);
  REQUIRE(repaired.ok);
  CHECK(repaired.notes.utf8_repaired);
  CHECK(repaired.ev.message == "caf\xEF\xBF\xBD");
  o.max_message = 100;
  o.reject_invalid_utf8 = true;
  CHECK(reason_of(invalid, o) == "invalid_utf8");
}

TEST_CASE("loghub lines wrapped in JSON come back intact") {
  for (const char* name : seerflow::test::loghub_names) {
    INFO(name);
    std::int64_t ms = 1'500'000'000'000;
    for (auto line : seerflow::test::loghub_lines(name)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const std::string text =
          nlohmann::json{{"message", line}, {"ts", ms}, {"source", name}, {"level", "info"}}.dump();
      const auto d = run(text);
      REQUIRE(d.ok);
      CHECK(d.ev.message == line);
      CHECK(d.ev.time_ns == ms * 1'000'000);
      CHECK(d.ev.severity == 6);
      REQUIRE(d.ev.fields.size() == 1);
      CHECK(d.ev.fields[0] == field{"source", name});
      ms += 1001;
    }
  }
}

TEST_CASE("randomized JSON lines never crash or throw") {
  std::mt19937_64 rng(7159);
  const std::string seeds[] = {
      R"({"message":"hello","@timestamp":"2023-01-01T10:00:00.5Z","host":"web1","pid":1234})",
      R"({"msg":"x","level":30,"time":1514038530123,"tags":["a",{"b":[1,2.5e3,null]}],"o":{"p":{"q":true}}})",
      R"({"log":"l\"\\\u00e9","ts":"2015-10-18 18:01:47,978","service":{"name":"s"}})",
  };
  const char alphabet[] = "{}[]\":,\\ 0123456789.eE+-truefalsnl";
  decode_options o;
  o.max_message = 100;
  std::size_t accepted = 0, rejected = 0;
  for (int iter = 0; iter < 30000; ++iter) {
    std::string s = seeds[rng() % std::size(seeds)];
    if (iter % 5 == 0) {
      s.resize(rng() % 120);
      for (auto& c : s)
        c = iter % 10 == 0 ? static_cast<char>(rng()) : alphabet[rng() % (sizeof alphabet - 1)];
    } else {
      for (int m = static_cast<int>(rng() % 4); m >= 0; --m) {
        const std::size_t pos = rng() % (s.size() + 1);
        switch (rng() % 5) {
          case 0:
            if (pos < s.size()) s[pos] = alphabet[rng() % (sizeof alphabet - 1)];
            break;
          case 1:
            s.insert(pos, 1, static_cast<char>(rng()));
            break;
          case 2:
            if (pos < s.size()) s.erase(pos, 1 + rng() % 4);
            break;
          case 3:
            s.resize(pos);
            break;
          case 4:
            s.insert(pos, std::string(rng() % 80, "[{"[rng() % 2]));
            break;
        }
      }
    }
    event ev;
    rejection why;
    decode_notes notes;
    bool ok = false;
    REQUIRE_NOTHROW(ok = decode_jsonl(s, o, ev, why, notes));
    if (ok) {
      ++accepted;
      REQUIRE(seerflow::util::is_valid_utf8(ev.message));
      REQUIRE(ev.message.size() <= o.max_message);
      for (const auto& f : ev.fields) {
        REQUIRE(seerflow::util::is_valid_utf8(f.key));
        REQUIRE(seerflow::util::is_valid_utf8(f.value));
      }
    } else {
      ++rejected;
      REQUIRE(!why.reason.empty());
      REQUIRE(!why.detail.empty());
      REQUIRE(why.detail.size() <= 210);
    }
  }
  CHECK(accepted > 3000);
  CHECK(rejected > 10000);
}
