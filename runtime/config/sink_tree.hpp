#pragma once
// Sinks come from `alerts.sinks`, not from the supervision tree, so that adding a Slack channel
// is one YAML entry. Before boot, each configured sink becomes a leaf `sink-<name>` (kind
// alert_sink) of a supervisor named `sinks`: the tree's own if it has one, else a new one put
// before `alerts` (ordered shutdown stops newest first, so the sinks outlive the alert actor
// that feeds them and get its last alerts).
#include <vector>

#include "runtime/config/settings.hpp"

namespace seerflow::config {

tree_node with_sink_leaves(tree_node root, const std::vector<sink_settings>& sinks);

// The registry name of a sink's actor.
std::string sink_actor_name(const std::string& sink_name);

}  // namespace seerflow::config
