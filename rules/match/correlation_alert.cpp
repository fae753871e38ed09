#include "rules/match/correlation_alert.hpp"

#include <nlohmann/json.hpp>

#include "rules/match/alert_fields.hpp"
#include "runtime/util/hash.hpp"

namespace seerflow::rules {

model::alert correlation_alert(const correlation_rule& r, const correlation_result& c,
                               const std::string& source, std::int64_t time_ns, std::uint64_t seq,
                               const std::vector<model::entity_ref>& entities) {
  auto a = alert_from(r.info, "correlation", source, time_ns, seq, entities);
  std::string group;
  for (const auto& v : c.group_values) {
    if (!group.empty()) group += ',';
    group += v;
  }
  a.id =
      "corr-" + hex64(util::fnv1a64(a.rule + '\x1f' + group + '\x1f' + std::to_string(c.first_ns) +
                                    '\x1f' + std::to_string(c.last_ns)));
  a.dedup_key = a.rule + '|' + group;
  nlohmann::ordered_json d;
  d["level"] = r.info.level;
  d["author"] = r.info.author;
  d["tags"] = r.info.tags;
  nlohmann::ordered_json groups = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < r.group_by.size() && i < c.group_values.size(); ++i)
    groups[r.group_by[i]] = c.group_values[i];
  d["group"] = groups;
  d["measured"] = c.measured;
  d["first_time_ns"] = c.first_ns;
  d["last_time_ns"] = c.last_ns;
  a.details_json = d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return a;
}

}  // namespace seerflow::rules
