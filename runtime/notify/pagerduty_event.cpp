#include "runtime/notify/pagerduty_event.hpp"

#include <nlohmann/json.hpp>

#include "runtime/notify/alert_json.hpp"
#include "runtime/notify/slack_payload.hpp"
#include "runtime/util/civil_time.hpp"

namespace seerflow::notify {

using json = nlohmann::ordered_json;

std::string pagerduty_severity(const std::string& s) {
  if (s == "critical") return "critical";
  if (s == "high") return "error";
  if (s == "medium") return "warning";
  return "info";
}

std::string pagerduty_dedup_key(const std::string& alert_id) {
  return alert_id.size() <= 255 ? alert_id : alert_id.substr(0, 255);
}

std::string pagerduty_trigger(const std::string& routing_key, const model::alert& a) {
  std::string summary = "[" + a.severity + "] " + (a.title.empty() ? a.rule : a.title);
  if (const auto ents = entities_line(a, 3); !ents.empty()) summary += " - " + ents;
  // source: "the unique location of the affected system": the first host entity if any.
  std::string source;
  for (const auto& e : a.entities)
    if (e.type == model::entity_type::host) {
      source = e.value;
      break;
    }
  if (source.empty()) source = a.source.empty() ? "seerflow" : a.source;
  json payload{{"summary", cut_text(summary, 1024)},
               {"source", cut_text(source, 255)},
               {"severity", pagerduty_severity(a.severity)},
               {"timestamp", util::format_rfc3339(a.time_ns)},
               {"component", a.source},
               {"group", a.kind},
               {"class", a.rule},
               {"custom_details", alert_to_json(a)}};
  json body{{"routing_key", routing_key},
            {"event_action", "trigger"},
            {"dedup_key", pagerduty_dedup_key(a.id)},
            {"payload", std::move(payload)},
            {"client", "Seerflow"}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string pagerduty_resolve(const std::string& routing_key, const std::string& alert_id) {
  json body{{"routing_key", routing_key},
            {"event_action", "resolve"},
            {"dedup_key", pagerduty_dedup_key(alert_id)}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace seerflow::notify
