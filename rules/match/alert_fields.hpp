#pragma once
// What every Sigma and correlation alert carries about its rule and its triggering event, for
// the source actor's matcher and the entity actors' correlation windows alike.
#include <cstdint>
#include <string>
#include <vector>

#include "rules/engine/rule.hpp"
#include "runtime/model/alert.hpp"
#include "runtime/model/entity.hpp"

namespace seerflow::rules {

// informational 0, low 1, medium 2, high 3, critical 4; -1 for anything else.
int level_rank(std::string_view level);

// 16 lowercase hex digits.
std::string hex64(std::uint64_t v);

model::alert alert_from(const rule_info& info, const char* kind, const std::string& source,
                        std::int64_t time_ns, std::uint64_t seq,
                        const std::vector<model::entity_ref>& entities);

}  // namespace seerflow::rules
