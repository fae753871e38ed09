#include "runtime/notify/teams_payload.hpp"

#include <nlohmann/json.hpp>

#include "runtime/notify/alert_json.hpp"
#include "runtime/notify/slack_payload.hpp"
#include "runtime/util/civil_time.hpp"

namespace seerflow::notify {

using json = nlohmann::ordered_json;

std::string teams_payload(const model::alert& a) {
  const std::string title = a.title.empty() ? a.rule : a.title;
  auto fact = [](std::string_view t, const std::string& v) {
    return json{{"title", t}, {"value", cut_text(v.empty() ? std::string("-") : v, 1000)}};
  };
  json facts = json::array({fact("Severity", a.severity), fact("Rule", a.rule),
                            fact("Entity", entities_line(a)), fact("ATT&CK", attack_line(a)),
                            fact("Kind", a.kind), fact("Source", a.source),
                            fact("Time", util::format_rfc3339(a.time_ns)),
                            fact("Count", std::to_string(a.count)), fact("Alert id", a.id)});
  // High and critical alerts stand out in the channel.
  const bool loud = severity_rank(a.severity) >= 3;
  json card{{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
            {"type", "AdaptiveCard"},
            {"version", "1.4"},
            {"body",
             {{{"type", "TextBlock"},
               {"text", cut_text(title, 500)},
               {"weight", "Bolder"},
               {"size", "Medium"},
               {"color", loud ? "Attention" : "Default"},
               {"wrap", true}},
              {{"type", "FactSet"}, {"facts", std::move(facts)}}}}};
  json body{{"type", "message"},
            {"attachments",
             {{{"contentType", "application/vnd.microsoft.card.adaptive"},
               {"contentUrl", nullptr},
               {"content", std::move(card)}}}}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace seerflow::notify
