// Each payload against the shape its service documents: Slack Block Kit (header, section
// fields, context), a Teams Adaptive Card in the message/attachments envelope, the signed JSON
// webhook, and PagerDuty Events API v2 trigger and resolve.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "runtime/notify/pagerduty_event.hpp"
#include "runtime/notify/sink_request.hpp"
#include "runtime/notify/slack_payload.hpp"
#include "runtime/notify/teams_payload.hpp"
#include "runtime/notify/webhook_request.hpp"
#include "runtime/util/hmac_sha256.hpp"
#include "runtime/util/utf8.hpp"
#include "tests/unit/notify/notify_test_alert.hpp"

using namespace seerflow;
using namespace seerflow::notify;
using json = nlohmann::json;
using notify::test::sample_alert;

namespace {

std::string header_of(const http_request& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

model::alert hostile_alert() {
  auto a = sample_alert();
  a.title = std::string(5000, 'A') + "\xC3\xA9<script>&";  // long, with a multibyte tail
  a.rule = "rule\x01\xff\xfe";                             // control byte, invalid UTF-8
  a.entities.push_back({model::entity_type::user, "<!channel> & @here", {}});
  a.details_json = "{not json";
  return a;
}

}  // namespace

TEST_CASE("slack: Block Kit header, section fields, context and a fallback text") {
  const auto body = json::parse(slack_payload(sample_alert()));
  CHECK(body["text"] == "[high] SSH Repeated Authentication Failures In One Connection");
  const auto& blocks = body["blocks"];
  REQUIRE(blocks.size() == 3);
  CHECK(blocks[0]["type"] == "header");
  CHECK(blocks[0]["text"]["type"] == "plain_text");
  CHECK(blocks[0]["text"]["text"] == "SSH Repeated Authentication Failures In One Connection");
  CHECK(blocks[1]["type"] == "section");
  const auto& fields = blocks[1]["fields"];
  REQUIRE(fields.size() == 4);
  for (const auto& f : fields) CHECK(f["type"] == "mrkdwn");
  CHECK(fields[0]["text"] == "*Severity*\nhigh");
  CHECK(fields[1]["text"] == "*Rule*\n315566d8-ebce-480d-b388-c067a5941843");
  CHECK(fields[2]["text"] == "*Entity*\nhost:web-prod-01, user:root, ip:203.0.113.9");
  CHECK(fields[3]["text"] == "*ATT&amp;CK*\ncredential-access (T1110.001)");
  CHECK(blocks[2]["type"] == "context");
  REQUIRE(blocks[2]["elements"].size() == 1);
  CHECK(blocks[2]["elements"][0]["type"] == "mrkdwn");
  CHECK(blocks[2]["elements"][0]["text"] ==
        "sigma alert from syslog at 2025-12-10T07:13:56Z | id sigma-27fa6bb35eb9cd9e");
}

TEST_CASE("slack: hostile text stays inside Slack's limits, escaped and valid UTF-8") {
  const auto text = slack_payload(hostile_alert());
  CHECK(util::is_valid_utf8(text));
  const auto body = json::parse(text);
  const auto header = body["blocks"][0]["text"]["text"].get<std::string>();
  CHECK(header.size() <= 150);
  CHECK(util::is_valid_utf8(header));
  for (const auto& f : body["blocks"][1]["fields"])
    CHECK(f["text"].get<std::string>().size() <= 2000);
  const auto entity = body["blocks"][1]["fields"][2]["text"].get<std::string>();
  CHECK(entity.find("<!channel>") == std::string::npos);  // no mention injected
  CHECK(entity.find("&lt;!channel&gt; &amp; @here") != std::string::npos);
  CHECK(body["text"].get<std::string>().size() <= 3000);
}

TEST_CASE("slack: an empty alert still makes a well-formed message") {
  const auto body = json::parse(slack_payload(model::alert{}));
  CHECK(body["blocks"][0]["type"] == "header");
  CHECK(body["blocks"][1]["fields"][2]["text"] == "*Entity*\n-");
}

TEST_CASE("teams: an Adaptive Card inside the message/attachments envelope") {
  const auto body = json::parse(teams_payload(sample_alert()));
  CHECK(body["type"] == "message");
  REQUIRE(body["attachments"].size() == 1);
  const auto& att = body["attachments"][0];
  CHECK(att["contentType"] == "application/vnd.microsoft.card.adaptive");
  CHECK(att["contentUrl"].is_null());
  const auto& card = att["content"];
  CHECK(card["type"] == "AdaptiveCard");
  CHECK(card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json");
  CHECK(card["version"] == "1.4");
  REQUIRE(card["body"].size() == 2);
  CHECK(card["body"][0]["type"] == "TextBlock");
  CHECK(card["body"][0]["text"] == "SSH Repeated Authentication Failures In One Connection");
  CHECK(card["body"][0]["wrap"] == true);
  CHECK(card["body"][0]["color"] == "Attention");  // high
  CHECK(card["body"][1]["type"] == "FactSet");
  const auto& facts = card["body"][1]["facts"];
  REQUIRE(facts.size() == 9);
  CHECK(facts[0] == json{{"title", "Severity"}, {"value", "high"}});
  CHECK(facts[3] == json{{"title", "ATT&CK"}, {"value", "credential-access (T1110.001)"}});
  CHECK(facts[8] == json{{"title", "Alert id"}, {"value", "sigma-27fa6bb35eb9cd9e"}});
  for (const auto& f : facts) {
    CHECK(f["title"].is_string());
    CHECK(f["value"].is_string());
  }
}

TEST_CASE("teams: hostile text is cut and stays valid JSON and UTF-8") {
  const auto text = teams_payload(hostile_alert());
  CHECK(util::is_valid_utf8(text));
  const auto body = json::parse(text);
  CHECK(body["attachments"][0]["content"]["body"][0]["text"].get<std::string>().size() <= 500);
}

TEST_CASE("webhook: the alert as JSON, signed over the raw body, with a timestamp") {
  const auto r =
      webhook_request("http://127.0.0.1:9/in", "s3cret", sample_alert(), "trigger", 1765350900);
  CHECK(r.url == "http://127.0.0.1:9/in");
  CHECK(header_of(r, "Content-Type") == "application/json");
  CHECK(header_of(r, "X-Seerflow-Timestamp") == "1765350900");
  const auto sig = header_of(r, "X-Seerflow-Signature");
  CHECK(sig == "sha256=" + util::hmac_sha256_hex("s3cret", r.body));
  CHECK(util::verify_hub_signature("s3cret", r.body, sig));
  CHECK_FALSE(util::verify_hub_signature("other", r.body, sig));
  CHECK_FALSE(util::verify_hub_signature("s3cret", r.body + " ", sig));
  const auto body = json::parse(r.body);
  CHECK(body["id"] == "sigma-27fa6bb35eb9cd9e");
  CHECK(body["action"] == "trigger");
  CHECK(body["kind"] == "sigma");
  CHECK(body["severity"] == "high");
  CHECK(body["time"] == "2025-12-10T07:13:56Z");
  CHECK(body["tactics"] == json::array({"credential-access"}));
  CHECK(body["entities"][1] == json{{"type", "user"}, {"value", "root"}});
  CHECK(body["details"]["level"] == "high");
}

TEST_CASE("webhook: no secret, no signature header; hostile details become an object") {
  const auto r = webhook_request("http://x/", "", hostile_alert(), "resolve", 1);
  CHECK(header_of(r, "X-Seerflow-Signature").empty());
  CHECK(util::is_valid_utf8(r.body));
  const auto body = json::parse(r.body);
  CHECK(body["details"] == json::object());
  CHECK(body["action"] == "resolve");
}

TEST_CASE("pagerduty: trigger with routing_key, dedup_key and the documented payload") {
  const auto body = json::parse(pagerduty_trigger("R0UTINGKEY", sample_alert()));
  CHECK(body["routing_key"] == "R0UTINGKEY");
  CHECK(body["event_action"] == "trigger");
  CHECK(body["dedup_key"] == "sigma-27fa6bb35eb9cd9e");
  const auto& p = body["payload"];
  CHECK(p["summary"] ==
        "[high] SSH Repeated Authentication Failures In One Connection - host:web-prod-01, "
        "user:root, ip:203.0.113.9");
  CHECK(p["source"] == "web-prod-01");
  CHECK(p["severity"] == "error");
  CHECK(p["timestamp"] == "2025-12-10T07:13:56Z");
  CHECK(p["class"] == "315566d8-ebce-480d-b388-c067a5941843");
  CHECK(p["group"] == "sigma");
  CHECK(p["custom_details"]["id"] == "sigma-27fa6bb35eb9cd9e");
  CHECK(p["custom_details"]["techniques"] == json::array({"T1110.001"}));
}

TEST_CASE("pagerduty: severities map onto critical, error, warning, info") {
  CHECK(pagerduty_severity("critical") == "critical");
  CHECK(pagerduty_severity("high") == "error");
  CHECK(pagerduty_severity("medium") == "warning");
  CHECK(pagerduty_severity("low") == "info");
  CHECK(pagerduty_severity("") == "info");
  CHECK(pagerduty_severity("bogus") == "info");
}

TEST_CASE("pagerduty: resolve carries only routing_key, event_action and the same dedup_key") {
  const auto body = json::parse(pagerduty_resolve("R0UTINGKEY", "sigma-27fa6bb35eb9cd9e"));
  CHECK(body == json{{"routing_key", "R0UTINGKEY"},
                     {"event_action", "resolve"},
                     {"dedup_key", "sigma-27fa6bb35eb9cd9e"}});
}

TEST_CASE("pagerduty: summary, source and dedup_key respect PagerDuty's limits") {
  auto a = hostile_alert();
  a.id = std::string(400, 'x');
  a.entities.clear();
  const auto text = pagerduty_trigger("k", a);
  CHECK(util::is_valid_utf8(text));
  const auto body = json::parse(text);
  CHECK(body["payload"]["summary"].get<std::string>().size() <= 1024);
  CHECK(body["dedup_key"].get<std::string>().size() == 255);
  CHECK(body["payload"]["source"] == "syslog");  // no host entity: the source
}

TEST_CASE("sink_request picks the payload by type and refuses actions a type has not") {
  config::sink_settings s;
  s.url = "http://127.0.0.1:1/hook";
  s.routing_key = "rk";
  const auto a = sample_alert();
  s.type = "slack";
  REQUIRE(sink_request(s, a, "trigger", 0));
  CHECK(json::parse(sink_request(s, a, "trigger", 0)->body).contains("blocks"));
  CHECK_FALSE(sink_request(s, a, "resolve", 0));
  s.type = "teams";
  CHECK(json::parse(sink_request(s, a, "trigger", 0)->body)["type"] == "message");
  CHECK_FALSE(sink_request(s, a, "resolve", 0));
  s.type = "pagerduty";
  CHECK(json::parse(sink_request(s, a, "resolve", 0)->body)["event_action"] == "resolve");
  CHECK_FALSE(sink_request(s, a, "acknowledge", 0));
  s.type = "webhook";
  CHECK(sink_request(s, a, "resolve", 0)->url == s.url);
  s.type = "carrier-pigeon";
  CHECK_FALSE(sink_request(s, a, "trigger", 0));
}

TEST_CASE("cut_text never splits a UTF-8 sequence") {
  const std::string s = "ab\xC3\xA9\xC3\xA9\xC3\xA9";
  for (std::size_t max = 0; max < s.size() + 2; ++max) {
    const auto c = cut_text(s, max);
    CHECK(util::is_valid_utf8(c));
    if (max >= s.size()) CHECK(c == s);
  }
}
