#pragma once
// Reads `alerts.sinks:`, a sequence of mappings, one per alert destination (Slack, Teams, a
// JSON webhook, PagerDuty). Every problem is reported under its key path
// ("alerts.sinks[1].min_severity") like the rest of the loader's errors.
#include <span>
#include <vector>

#include "runtime/config/read_context.hpp"
#include "runtime/config/settings.hpp"
#include "runtime/config/supervision_reader.hpp"
#include "runtime/config/yaml_document.hpp"

namespace seerflow::config {

inline constexpr std::size_t max_sinks = 64;

void read_sinks(const yaml_node& node, read_context& ctx, std::vector<sink_settings>& out);

// The keys of one sink, for describe_schema().
std::span<const node_key> sink_keys();

// The default endpoint of PagerDuty's Events API v2.
inline constexpr const char* pagerduty_events_url = "https://events.pagerduty.com/v2/enqueue";

}  // namespace seerflow::config
