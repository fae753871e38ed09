#include <catch2/catch.hpp>

#include "runtime/notify/alert_json.hpp"
#include "runtime/notify/sink_request.hpp"
#include "tests/unit/notify/notify_test_alert.hpp"

using namespace seerflow;
using namespace seerflow::notify;
using notify::test::sample_alert;

TEST_CASE("min_severity lets through that severity and above") {
  config::sink_settings s;
  auto a = sample_alert();
  for (const auto& [min, sev, pass] :
       std::vector<std::tuple<std::string, std::string, bool>>{{"low", "low", true},
                                                               {"low", "critical", true},
                                                               {"medium", "low", false},
                                                               {"high", "medium", false},
                                                               {"high", "high", true},
                                                               {"critical", "high", false},
                                                               {"low", "informational", false},
                                                               {"low", "", false}}) {
    s.min_severity = min;
    a.severity = sev;
    INFO(min << " / " << sev);
    CHECK(sink_accepts(s, a) == pass);
  }
}

TEST_CASE("routing lists: every non-empty list must match, any element of it") {
  config::sink_settings s;
  const auto a = sample_alert();  // sigma, credential-access
  CHECK(sink_accepts(s, a));
  s.kinds = {"risk", "kill_chain"};
  CHECK_FALSE(sink_accepts(s, a));
  s.kinds = {"risk", "sigma"};
  CHECK(sink_accepts(s, a));
  s.rules = {"other"};
  CHECK_FALSE(sink_accepts(s, a));
  s.rules = {"315566d8-ebce-480d-b388-c067a5941843"};
  CHECK(sink_accepts(s, a));
  s.tactics = {"lateral-movement"};
  CHECK_FALSE(sink_accepts(s, a));
  s.tactics = {"lateral-movement", "credential-access"};
  CHECK(sink_accepts(s, a));
  auto none = a;
  none.tactics.clear();
  CHECK_FALSE(sink_accepts(s, none));  // a tactic filter needs a tactic
}

TEST_CASE("an alert survives the JSON a pending delivery keeps") {
  const auto a = sample_alert();
  const auto back = alert_from_json(alert_to_json(a).dump());
  REQUIRE(back);
  CHECK(back->id == a.id);
  CHECK(back->kind == a.kind);
  CHECK(back->severity == a.severity);
  CHECK(back->rule == a.rule);
  CHECK(back->title == a.title);
  CHECK(back->time_ns == a.time_ns);
  CHECK(back->tactics == a.tactics);
  CHECK(back->techniques == a.techniques);
  CHECK(back->event_seqs == a.event_seqs);
  REQUIRE(back->entities.size() == 3);
  CHECK(back->entities[2].type == model::entity_type::ip);
  CHECK(back->entities[2].value == "203.0.113.9");
  CHECK(nlohmann::json::parse(back->details_json) == nlohmann::json::parse(a.details_json));
}

TEST_CASE("damaged pending rows are refused, never a crash") {
  for (const std::string& bad : std::vector<std::string>{
           "", "null", "[]", "{", "{\"kind\":\"sigma\"}", "{\"id\":7}",
           std::string("\xff\xfe\x00\x01", 4), "{\"id\":\"x\",\"time_ns\":\"soon\"}",
           "{\"id\":\"x\",\"tactics\":[1,2]}", std::string(100000, '{')}) {
    INFO(bad.substr(0, 40));
    CHECK_FALSE(alert_from_json(bad));
  }
  // Unknown entity types are skipped; the rest of the alert is kept.
  const auto a = alert_from_json(
      R"({"id":"x","entities":[{"type":"planet","value":"mars"},{"type":"ip","value":"1.2.3.4"}]})");
  REQUIRE(a);
  REQUIRE(a->entities.size() == 1);
  CHECK(a->entities[0].value == "1.2.3.4");
}
