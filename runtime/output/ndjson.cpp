#include "runtime/output/ndjson.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "runtime/parse/syslog_names.hpp"
#include "runtime/parse/uuid5.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/utf8.hpp"

namespace seerflow::output {

namespace {

using json = nlohmann::ordered_json;

void put_if(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}

nlohmann::ordered_json entity_json(const model::entity_ref& e) {
  return {{"type", std::string(model::to_string(e.type))},
          {"value", e.value},
          {"id", parse::format_uuid(e.id)}};
}

// nlohmann refuses invalid UTF-8 on dump; records are repaired upstream, but rejected data may
// be anything, so it is repaired here for display only.
std::string printable(std::string s, std::size_t max_bytes) {
  if (s.size() > max_bytes) s.resize(max_bytes);
  util::repair_utf8(s);
  return s;
}

}  // namespace

std::string template_id_hex(std::uint64_t id) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(id));
  return std::string(buf, 16);
}

std::string event_line(const model::event& ev) {
  json j;
  j["kind"] = "event";
  j["seq"] = ev.seq;
  if (ev.time_from_log) j["time"] = util::format_rfc3339(ev.time_ns);
  put_if(j, "source", ev.source);
  put_if(j, "host", ev.host);
  put_if(j, "app", ev.app);
  put_if(j, "pid", ev.procid);
  put_if(j, "msgid", ev.msgid);
  if (ev.facility >= 0) j["facility"] = std::string(parse::facility_name(ev.facility));
  if (ev.severity >= 0) j["severity"] = std::string(parse::severity_name(ev.severity));
  j["message"] = ev.message;
  if (ev.template_id != 0) {
    j["template"] = ev.template_text;
    j["template_id"] = template_id_hex(ev.template_id);
  }
  if (!ev.params.empty()) j["params"] = ev.params;
  auto ents = json::array();
  for (const auto& e : ev.entities) ents.push_back(entity_json(e));
  j["entities"] = std::move(ents);
  if (!ev.ls.product.empty() || !ev.ls.service.empty() || !ev.ls.category.empty()) {
    json ls;
    put_if(ls, "product", ev.ls.product);
    put_if(ls, "service", ev.ls.service);
    put_if(ls, "category", ev.ls.category);
    j["logsource"] = std::move(ls);
  }
  if (!ev.fields.empty()) {
    json f = json::object();
    for (const auto& kv : ev.fields) {
      auto it = f.find(kv.key);
      if (it == f.end()) {
        f[kv.key] = kv.value;
        continue;
      }
      // A key may repeat (RFC 5424 lets a PARAM-NAME occur more than once; a JSON line may hold
      // "a.b" both nested and dotted): keep every value, in order, rather than the last one.
      if (!it->is_array()) *it = json::array({std::move(*it)});
      it->push_back(kv.value);
    }
    j["fields"] = std::move(f);
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string rejected_line(const model::rejected_record& r) {
  json j;
  j["kind"] = "rejected";
  j["after_seq"] = r.after_seq;
  put_if(j, "source", r.source);
  j["reason"] = r.reason;
  put_if(j, "detail", r.detail);
  j["data"] = printable(r.data, 256);
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string alert_line(const model::alert& a) {
  json j;
  j["kind"] = "alert";
  j["id"] = a.id;
  j["type"] = a.kind;
  j["severity"] = a.severity;
  put_if(j, "rule", a.rule);
  put_if(j, "title", a.title);
  put_if(j, "source", a.source);
  j["time"] = util::format_rfc3339(a.time_ns);
  if (a.count > 1) {
    j["count"] = a.count;
    j["last_time"] = util::format_rfc3339(a.last_time_ns);
  }
  if (!a.tactics.empty()) j["tactics"] = a.tactics;
  if (!a.techniques.empty()) j["techniques"] = a.techniques;
  if (!a.event_seqs.empty()) j["events"] = a.event_seqs;
  auto ents = json::array();
  for (const auto& e : a.entities) ents.push_back(entity_json(e));
  j["entities"] = std::move(ents);
  if (!a.details_json.empty()) {
    auto details = nlohmann::ordered_json::parse(a.details_json, nullptr, false);
    if (!details.is_discarded()) j["details"] = std::move(details);
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace seerflow::output
