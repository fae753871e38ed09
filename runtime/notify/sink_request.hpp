#pragma once
// The request a sink sends for one alert and action, by the sink's type, and the routing
// filter that decides whether a sink gets an alert at all.
#include <cstdint>
#include <optional>
#include <string>

#include "runtime/config/settings.hpp"
#include "runtime/model/alert.hpp"
#include "runtime/notify/http_request.hpp"

namespace seerflow::notify {

// nullopt when the type has no such action (only webhook and pagerduty resolve).
std::optional<http_request> sink_request(const config::sink_settings& sink, const model::alert& a,
                                         const std::string& action, std::int64_t now_unix_s);

// True when `a` is at least the sink's min_severity and matches each non-empty routing list
// (kinds, rules, tactics; any element of a list matches).
bool sink_accepts(const config::sink_settings& sink, const model::alert& a);

}  // namespace seerflow::notify
