#pragma once
// The alert as a JSON object: the body of the generic webhook, PagerDuty's custom_details, and
// what a pending delivery keeps in SQLite so it can be rebuilt after a restart.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtime/model/alert.hpp"

namespace seerflow::notify {

nlohmann::ordered_json alert_to_json(const model::alert& a);

// The inverse of alert_to_json; nullopt when `text` is not such an object (a damaged row).
std::optional<model::alert> alert_from_json(std::string_view text);

// "user:root, ip:203.0.113.9": the entities as one line.
std::string entities_line(const model::alert& a, std::size_t max = 8);

// "credential-access (T1110.001)": tactics then techniques, "" when there are none.
std::string attack_line(const model::alert& a);

// 0 for unknown, informational 0, low 1, medium 2, high 3, critical 4.
int severity_rank(std::string_view severity);

}  // namespace seerflow::notify
