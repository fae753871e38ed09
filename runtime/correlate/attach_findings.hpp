#pragma once
// The hand-over from detection to correlation, on the source side: every alert that names
// entities becomes one finding per entity, added to that entity's delivery of the same batch,
// so each entity actor still gets one message per batch however many alerts concern it.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "runtime/model/alert.hpp"
#include "runtime/model/deliveries.hpp"

namespace seerflow::correlate {

// Entity types whose actors correlate findings, indexed by model::entity_type.
using entity_type_mask = std::array<bool, model::entity_type_names.size()>;

// Alert kinds that become findings: detections, not the correlation's own risk and kill-chain
// alerts (which would feed back on themselves).
bool is_finding_kind(const std::string& kind);

model::finding finding_of(const model::alert& a);

// Adds the findings of `alerts` to `deliveries` (one per entity of an enabled type, an entity
// named twice by one alert counted once). An entity without a delivery in the batch gets one
// without observations. Returns the number of findings added.
std::size_t attach_findings(const std::vector<model::alert>& alerts, const entity_type_mask& types,
                            const std::string& source,
                            std::vector<model::entity_delivery>& deliveries);

}  // namespace seerflow::correlate
