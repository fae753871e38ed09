#pragma once
// The alert of a fired correlation rule, wherever its window lives (the source actor's matcher
// for groups that name no entity, the entity actor for those that do): same id, dedup key and
// details either way.
#include <cstdint>
#include <string>
#include <vector>

#include "rules/engine/correlation.hpp"
#include "runtime/model/alert.hpp"
#include "runtime/model/entity.hpp"

namespace seerflow::rules {

// `source`, `time_ns`, `seq` and `entities` describe the event whose match fired it.
model::alert correlation_alert(const correlation_rule& r, const correlation_result& c,
                               const std::string& source, std::int64_t time_ns, std::uint64_t seq,
                               const std::vector<model::entity_ref>& entities);

}  // namespace seerflow::rules
