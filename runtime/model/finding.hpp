#pragma once
// A finding: what one alert says about one of its entities. The source actor turns every alert
// that names entities into one finding per entity and hands them to the entity actors with the
// batch, where they feed the entity's risk and kill chain (runtime/correlate/).
#include <cstdint>
#include <string>
#include <vector>

namespace seerflow::model {

struct finding {
  std::string alert_id;
  std::string kind;      // the alert's kind: "sigma", "anomaly", "correlation", "graph"
  std::string severity;  // "low", "medium", "high", "critical"
  std::string rule;
  std::string title;
  std::int64_t time_ns = 0;               // event time of the alert
  std::vector<std::string> tactics;       // ATT&CK tactic short names ("credential-access")
  std::vector<std::uint64_t> event_seqs;  // the alert's contributing events

  friend bool operator==(const finding&, const finding&) = default;
};

}  // namespace seerflow::model
