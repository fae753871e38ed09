// The NDJSON lines `seerflow analyze` prints and golden files compare: exact text and key order,
// absent values omitted, and always valid JSON and UTF-8 whatever bytes a record carried.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>

#include "runtime/output/ndjson.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/utf8.hpp"

using namespace seerflow;

namespace {

model::entity_ref entity(model::entity_type type, std::string value, std::uint8_t first_byte) {
  model::entity_ref e;
  e.type = type;
  e.value = std::move(value);
  for (std::size_t i = 0; i < e.id.size(); ++i) e.id[i] = static_cast<std::uint8_t>(first_byte + i);
  return e;
}

model::event full_event() {
  model::event ev;
  ev.seq = 42;
  ev.time_ns = util::to_unix_ns(2025, 12, 10, 6, 55, 46, 500'000'000);
  ev.arrival_ns = 1;
  ev.time_from_log = true;
  ev.facility = 4;
  ev.severity = 3;
  ev.source = "auth";
  ev.peer = "10.0.0.9:514";  // transport detail: not printed
  ev.host = "LabSZ";
  ev.app = "sshd";
  ev.procid = "24200";
  ev.msgid = "ID47";
  ev.message = "Failed password for root from 10.0.0.1";
  ev.fields = {{"ex@1.a", "b"}, {"k", "v \"quoted\""}};
  ev.ls = {"linux", "sshd", ""};
  ev.template_id = 0xABC;
  ev.template_text = "Failed password for <*> from <*>";
  ev.params = {"root", "10.0.0.1"};
  ev.entities = {entity(model::entity_type::ip, "10.0.0.1", 0),
                 entity(model::entity_type::user, "root", 0xF0)};
  return ev;
}

// Parses a line back; fails the test if it is not one JSON object or not UTF-8.
nlohmann::json parsed(const std::string& line) {
  INFO(line);
  REQUIRE(util::is_valid_utf8(line));
  REQUIRE(line.find('\n') == std::string::npos);
  const auto j = nlohmann::json::parse(line, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  REQUIRE(j.is_object());
  return j;
}

}  // namespace

TEST_CASE("template_id_hex: 16 lowercase hex digits") {
  CHECK(output::template_id_hex(0) == "0000000000000000");
  CHECK(output::template_id_hex(1) == "0000000000000001");
  CHECK(output::template_id_hex(0xABCDEF) == "0000000000abcdef");
  CHECK(output::template_id_hex(0xFFFFFFFFFFFFFFFFull) == "ffffffffffffffff");
  CHECK(output::template_id_hex(0x0123456789ABCDEFull) == "0123456789abcdef");
}

TEST_CASE("event_line: the exact line of a fully populated event") {
  CHECK(output::event_line(full_event()) ==
        R"({"kind":"event","seq":42,"time":"2025-12-10T06:55:46.5Z","source":"auth",)"
        R"("host":"LabSZ","app":"sshd","pid":"24200","msgid":"ID47","facility":"auth",)"
        R"("severity":"err","message":"Failed password for root from 10.0.0.1",)"
        R"("template":"Failed password for <*> from <*>","template_id":"0000000000000abc",)"
        R"("params":["root","10.0.0.1"],"entities":[)"
        R"({"type":"ip","value":"10.0.0.1","id":"00010203-0405-0607-0809-0a0b0c0d0e0f"},)"
        R"({"type":"user","value":"root","id":"f0f1f2f3-f4f5-f6f7-f8f9-fafbfcfdfeff"}],)"
        R"("logsource":{"product":"linux","service":"sshd"},)"
        R"("fields":{"ex@1.a":"b","k":"v \"quoted\""}})");
}

TEST_CASE("event_line: absent values are omitted") {
  model::event ev;
  ev.seq = 1;
  CHECK(output::event_line(ev) == R"({"kind":"event","seq":1,"message":"","entities":[]})");

  // One field at a time shows up in its place.
  ev.message = "m";
  ev.app = "cron";
  ev.severity = 7;
  CHECK(output::event_line(ev) ==
        R"({"kind":"event","seq":1,"app":"cron","severity":"debug","message":"m","entities":[]})");
  ev.ls.category = "process_creation";
  CHECK(output::event_line(ev) ==
        R"({"kind":"event","seq":1,"app":"cron","severity":"debug","message":"m","entities":[],)"
        R"("logsource":{"category":"process_creation"}})");
}

TEST_CASE("event_line: no time unless it came from the log") {
  auto ev = full_event();
  ev.time_from_log = false;
  const auto j = parsed(output::event_line(ev));
  CHECK_FALSE(j.contains("time"));
  ev.time_from_log = true;
  ev.time_ns = -1;  // before 1970 is still a time
  CHECK(parsed(output::event_line(ev))["time"] == "1969-12-31T23:59:59.999999999Z");
}

TEST_CASE("event_line: template and id only when the event has a template") {
  auto ev = full_event();
  ev.template_id = 0;
  const auto j = parsed(output::event_line(ev));
  CHECK_FALSE(j.contains("template"));
  CHECK_FALSE(j.contains("template_id"));
  ev.template_id = 0xFFFFFFFFFFFFFFFFull;
  CHECK(parsed(output::event_line(ev))["template_id"] == "ffffffffffffffff");
}

TEST_CASE("event_line: a repeated field key keeps every value in order") {
  auto ev = full_event();
  ev.fields = {{"ex@1.a", "1"}, {"k", "x"}, {"ex@1.a", "2"}, {"ex@1.a", "3"}};
  const auto j = parsed(output::event_line(ev));
  CHECK(j["fields"].dump() == R"({"ex@1.a":["1","2","3"],"k":"x"})");
  const std::string line = output::event_line(ev);
  CHECK(line.find(R"("fields":{"ex@1.a":["1","2","3"],"k":"x"})") != std::string::npos);
}

TEST_CASE("event_line: text that is not UTF-8 still gives valid JSON") {
  auto ev = full_event();
  ev.message = std::string("bad \xFF\xFE bytes and a NUL \0 and \x1b[31m", 34);
  ev.host = "h\xC3";
  ev.fields = {{"k\xE2\x82", "v\x80"}};
  const auto j = parsed(output::event_line(ev));
  CHECK(j["message"] ==
        std::string("bad \xEF\xBF\xBD\xEF\xBF\xBD bytes and a NUL \0 and \x1b[31m", 38));
  CHECK(j["host"] == "h\xEF\xBF\xBD");
}

TEST_CASE("rejected_line: exact text") {
  model::rejected_record r;
  r.source = "auth";
  r.reason = "bad_pri";
  r.detail = "PRI 999 is above 191";
  r.data = "<999>x";
  r.after_seq = 17;
  r.peer = "10.0.0.9:514";
  r.arrival_ns = 5;
  CHECK(output::rejected_line(r) ==
        R"({"kind":"rejected","after_seq":17,"source":"auth","reason":"bad_pri",)"
        R"("detail":"PRI 999 is above 191","data":"<999>x"})");
  model::rejected_record bare;
  bare.reason = "empty";
  CHECK(output::rejected_line(bare) ==
        R"({"kind":"rejected","after_seq":0,"reason":"empty","data":""})");
}

TEST_CASE("rejected_line: binary and invalid UTF-8 data print as valid JSON, cut to 256 bytes") {
  model::rejected_record r;
  r.reason = "binary";
  r.data = std::string("\x00\x01\xFF\xFE\xC0\x80 tail\x7f", 12);
  const std::string line = output::rejected_line(r);
  CHECK(line ==
        "{\"kind\":\"rejected\",\"after_seq\":0,\"reason\":\"binary\",\"data\":"
        "\"\\u0000\\u0001\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD tail\x7f\"}");
  CHECK(parsed(line)["data"] ==
        std::string("\x00\x01\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD tail\x7f", 17));

  // Long data is cut to 256 bytes; a character cut in half becomes U+FFFD.
  r.data = std::string(255, 'a') + "\xC3\xA9" + std::string(5000, 'b');
  const auto j = parsed(output::rejected_line(r));
  CHECK(j["data"] == std::string(255, 'a') + "\xEF\xBF\xBD");

  // Random bytes of every value: always one valid JSON object.
  std::string all;
  for (int rep = 0; rep < 2; ++rep)
    for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  for (std::size_t start = 0; start < 256; start += 7) {
    r.data = all.substr(start, 300);
    r.detail = all.substr(start, 40);  // details come from decoders; bytes in them too
    parsed(output::rejected_line(r));
  }
}

TEST_CASE("alert_line: exact text with and without details") {
  model::alert a;
  a.id = "a-1";
  a.kind = "sigma";
  a.severity = "high";
  a.rule = "ssh-brute-force";
  a.title = "SSH brute force";
  a.source = "auth";
  a.time_ns = util::to_unix_ns(2025, 12, 10, 6, 55, 46);
  a.event_seqs = {3, 4, 9};
  a.entities = {entity(model::entity_type::ip, "10.0.0.1", 0)};
  a.details_json = R"({"count":5,"window":"60s","nested":{"z":1,"a":[true,null]}})";
  CHECK(output::alert_line(a) ==
        R"({"kind":"alert","id":"a-1","type":"sigma","severity":"high","rule":"ssh-brute-force",)"
        R"("title":"SSH brute force","source":"auth","time":"2025-12-10T06:55:46Z",)"
        R"("events":[3,4,9],"entities":[{"type":"ip","value":"10.0.0.1",)"
        R"("id":"00010203-0405-0607-0809-0a0b0c0d0e0f"}],)"
        R"("details":{"count":5,"window":"60s","nested":{"z":1,"a":[true,null]}}})");

  a.details_json.clear();
  CHECK(output::alert_line(a) ==
        R"({"kind":"alert","id":"a-1","type":"sigma","severity":"high","rule":"ssh-brute-force",)"
        R"("title":"SSH brute force","source":"auth","time":"2025-12-10T06:55:46Z",)"
        R"("events":[3,4,9],"entities":[{"type":"ip","value":"10.0.0.1",)"
        R"("id":"00010203-0405-0607-0809-0a0b0c0d0e0f"}]})");

  model::alert bare;
  CHECK(output::alert_line(bare) ==
        R"({"kind":"alert","id":"","type":"","severity":"","time":"1970-01-01T00:00:00Z",)"
        R"("entities":[]})");
}

TEST_CASE("alert_line: invalid details JSON is dropped, never a crash") {
  model::alert a;
  a.id = "x";
  for (const std::string& bad :
       {std::string("{not json"), std::string("{\"a\":1"), std::string("{\"a\":1}}"),
        std::string("{\"s\":\"\xFF\"}"), std::string("\x00", 1), std::string("nul\0l", 5),
        std::string(100000, '[')}) {
    a.details_json = bad;
    std::string line;
    REQUIRE_NOTHROW(line = output::alert_line(a));
    CHECK_FALSE(parsed(line).contains("details"));
  }
  // Valid JSON that is not an object is kept as it is.
  a.details_json = "[1,2]";
  CHECK(parsed(output::alert_line(a))["details"] == nlohmann::json::array({1, 2}));
  // Text fields with bad bytes are repaired.
  a.details_json.clear();
  a.title = "t\xFF";
  CHECK(parsed(output::alert_line(a))["title"] == "t\xEF\xBF\xBD");
}
