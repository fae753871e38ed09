#include "runtime/notify/slack_payload.hpp"

#include <nlohmann/json.hpp>

#include "runtime/notify/alert_json.hpp"
#include "runtime/util/civil_time.hpp"

namespace seerflow::notify {

using json = nlohmann::ordered_json;

std::string cut_text(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  const std::string ellipsis = "\xE2\x80\xA6";
  std::size_t n = max > ellipsis.size() ? max - ellipsis.size() : 0;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s + ellipsis;
}

namespace {

// mrkdwn treats &, < and > as control characters; everything from a log is escaped.
std::string mrkdwn_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

json field(std::string_view label, const std::string& value) {
  return {{"type", "mrkdwn"},
          {"text", cut_text("*" + mrkdwn_escape(label) + "*\n" +
                                (value.empty() ? std::string("-") : mrkdwn_escape(value)),
                            2000)}};
}

}  // namespace

std::string slack_payload(const model::alert& a) {
  const std::string title = a.title.empty() ? a.rule : a.title;
  json blocks = json::array();
  blocks.push_back(
      {{"type", "header"}, {"text", {{"type", "plain_text"}, {"text", cut_text(title, 150)}}}});
  blocks.push_back({{"type", "section"},
                    {"fields",
                     {field("Severity", a.severity), field("Rule", a.rule),
                      field("Entity", entities_line(a)), field("ATT&CK", attack_line(a))}}});
  std::string context = a.kind + " alert from " + (a.source.empty() ? "seerflow" : a.source) +
                        " at " + util::format_rfc3339(a.time_ns);
  if (a.count > 1) context += ", seen " + std::to_string(a.count) + " times";
  context += " | id " + a.id;
  blocks.push_back(
      {{"type", "context"},
       {"elements", {{{"type", "mrkdwn"}, {"text", cut_text(mrkdwn_escape(context), 2000)}}}}});
  json body{{"text", cut_text("[" + a.severity + "] " + title, 3000)},
            {"blocks", std::move(blocks)}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace seerflow::notify
