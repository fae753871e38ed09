#include "runtime/correlate/attach_findings.hpp"

#include <algorithm>
#include <unordered_map>

namespace seerflow::correlate {

bool is_finding_kind(const std::string& kind) {
  return kind == "sigma" || kind == "anomaly" || kind == "correlation" || kind == "graph";
}

model::finding finding_of(const model::alert& a) {
  model::finding f;
  f.alert_id = a.id;
  f.kind = a.kind;
  f.severity = a.severity;
  f.rule = a.rule;
  f.title = a.title;
  f.time_ns = a.time_ns;
  f.tactics = a.tactics;
  f.event_seqs = a.event_seqs;
  return f;
}

std::size_t attach_findings(const std::vector<model::alert>& alerts, const entity_type_mask& types,
                            const std::string& source,
                            std::vector<model::entity_delivery>& deliveries) {
  if (alerts.empty()) return 0;
  std::unordered_map<std::uint64_t, std::size_t> index;
  for (std::size_t i = 0; i < deliveries.size(); ++i)
    index.emplace(model::entity_key(deliveries[i].entity.id), i);
  std::size_t added = 0;
  for (const auto& a : alerts) {
    if (!is_finding_kind(a.kind) || a.entities.empty()) continue;
    const auto f = finding_of(a);
    std::vector<std::uint64_t> seen;
    for (const auto& e : a.entities) {
      const auto t = static_cast<std::size_t>(e.type);
      if (t >= types.size() || !types[t]) continue;
      const auto key = model::entity_key(e.id);
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
      seen.push_back(key);
      auto [it, inserted] = index.try_emplace(key, deliveries.size());
      if (inserted) {
        model::entity_delivery d;
        d.entity = e;
        d.source = source;
        deliveries.push_back(std::move(d));
      }
      deliveries[it->second].findings.push_back(f);
      ++added;
    }
  }
  return added;
}

}  // namespace seerflow::correlate
