#include "runtime/notify/alert_json.hpp"

#include "runtime/util/civil_time.hpp"

namespace seerflow::notify {

using json = nlohmann::ordered_json;

json alert_to_json(const model::alert& a) {
  json j;
  j["id"] = a.id;
  j["kind"] = a.kind;
  j["severity"] = a.severity;
  j["rule"] = a.rule;
  j["title"] = a.title;
  j["source"] = a.source;
  j["time"] = util::format_rfc3339(a.time_ns);
  j["time_ns"] = a.time_ns;
  j["last_time_ns"] = a.last_time_ns;
  j["count"] = a.count;
  j["dedup_key"] = a.dedup_key;
  j["tactics"] = a.tactics;
  j["techniques"] = a.techniques;
  auto ents = json::array();
  for (const auto& e : a.entities)
    ents.push_back({{"type", std::string(model::to_string(e.type))}, {"value", e.value}});
  j["entities"] = std::move(ents);
  j["event_seqs"] = a.event_seqs;
  auto details = json::parse(a.details_json, nullptr, false);
  j["details"] = details.is_object() ? std::move(details) : json::object();
  return j;
}

std::optional<model::alert> alert_from_json(std::string_view text) {
  const auto j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string()) return std::nullopt;
  model::alert a;
  try {
    a.id = j.value("id", "");
    a.kind = j.value("kind", "");
    a.severity = j.value("severity", "");
    a.rule = j.value("rule", "");
    a.title = j.value("title", "");
    a.source = j.value("source", "");
    a.time_ns = j.value("time_ns", std::int64_t{0});
    a.last_time_ns = j.value("last_time_ns", a.time_ns);
    a.count = j.value("count", std::uint64_t{1});
    a.dedup_key = j.value("dedup_key", "");
    a.tactics = j.value("tactics", std::vector<std::string>{});
    a.techniques = j.value("techniques", std::vector<std::string>{});
    a.event_seqs = j.value("event_seqs", std::vector<std::uint64_t>{});
    if (j.contains("entities") && j["entities"].is_array()) {
      for (const auto& e : j["entities"]) {
        model::entity_ref r;
        const auto type = model::entity_type_from(e.value("type", ""));
        if (!type) continue;
        r.type = *type;
        r.value = e.value("value", "");
        a.entities.push_back(std::move(r));
      }
    }
    if (j.contains("details") && j["details"].is_object()) a.details_json = j["details"].dump();
  } catch (const json::exception&) {
    return std::nullopt;  // a field of the wrong type: the row is damaged
  }
  return a;
}

std::string entities_line(const model::alert& a, std::size_t max) {
  std::string out;
  std::size_t n = 0;
  for (const auto& e : a.entities) {
    if (n == max) {
      out += ", +" + std::to_string(a.entities.size() - max) + " more";
      break;
    }
    out += (out.empty() ? "" : ", ") + std::string(model::to_string(e.type)) + ":" + e.value;
    ++n;
  }
  return out;
}

std::string attack_line(const model::alert& a) {
  std::string out;
  for (const auto& t : a.tactics) out += (out.empty() ? "" : ", ") + t;
  std::string tech;
  for (const auto& t : a.techniques) tech += (tech.empty() ? "" : ", ") + t;
  if (!tech.empty()) out += out.empty() ? tech : " (" + tech + ")";
  return out;
}

int severity_rank(std::string_view s) {
  if (s == "low") return 1;
  if (s == "medium") return 2;
  if (s == "high") return 3;
  if (s == "critical") return 4;
  return 0;
}

}  // namespace seerflow::notify
