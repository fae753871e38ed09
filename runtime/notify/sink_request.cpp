#include "runtime/notify/sink_request.hpp"

#include <algorithm>

#include "runtime/notify/alert_json.hpp"
#include "runtime/notify/pagerduty_event.hpp"
#include "runtime/notify/slack_payload.hpp"
#include "runtime/notify/teams_payload.hpp"
#include "runtime/notify/webhook_request.hpp"

namespace seerflow::notify {

std::optional<http_request> sink_request(const config::sink_settings& sink, const model::alert& a,
                                         const std::string& action, std::int64_t now_unix_s) {
  if (sink.type == "webhook") return webhook_request(sink.url, sink.secret, a, action, now_unix_s);
  http_request r;
  r.url = sink.url;
  r.headers.emplace_back("Content-Type", "application/json");
  if (sink.type == "pagerduty") {
    if (action == "trigger")
      r.body = pagerduty_trigger(sink.routing_key, a);
    else if (action == "resolve")
      r.body = pagerduty_resolve(sink.routing_key, a.id);
    else
      return std::nullopt;
    return r;
  }
  if (action != "trigger") return std::nullopt;
  if (sink.type == "slack") {
    r.body = slack_payload(a);
    return r;
  }
  if (sink.type == "teams") {
    r.body = teams_payload(a);
    return r;
  }
  return std::nullopt;
}

bool sink_accepts(const config::sink_settings& sink, const model::alert& a) {
  if (severity_rank(a.severity) < severity_rank(sink.min_severity)) return false;
  auto listed = [](const std::vector<std::string>& xs, const std::string& v) {
    return xs.empty() || std::find(xs.begin(), xs.end(), v) != xs.end();
  };
  if (!listed(sink.kinds, a.kind) || !listed(sink.rules, a.rule)) return false;
  if (sink.tactics.empty()) return true;
  for (const auto& t : a.tactics)
    if (std::find(sink.tactics.begin(), sink.tactics.end(), t) != sink.tactics.end()) return true;
  return false;
}

}  // namespace seerflow::notify
