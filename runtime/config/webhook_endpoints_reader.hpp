#pragma once
// Reads `receivers.webhooks.endpoints:`, a list of mappings, one per endpoint. Structure and
// the values that need no webhook code are checked here (paths, auth and its secrets, names);
// the JSON path and template syntax of the mapping specs is checked when the receiver starts
// (runtime/webhook), and reported with the item's position.
#include <span>
#include <vector>

#include "runtime/config/read_context.hpp"
#include "runtime/config/settings.hpp"
#include "runtime/config/supervision_reader.hpp"
#include "runtime/config/yaml_document.hpp"

namespace seerflow::config {

void read_webhook_endpoints(const yaml_node& node, read_context& ctx,
                            std::vector<webhook_endpoint_settings>& out);

// The keys of an endpoint, for describe_schema().
std::span<const node_key> webhook_endpoint_keys();

}  // namespace seerflow::config
