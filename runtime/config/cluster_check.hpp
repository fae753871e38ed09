#pragma once
// What node mode (`seerflow --node`, cluster.enabled) needs beyond what each key checks alone:
// the TLS certificate, key and CA must be given and readable, since nodes only ever talk over
// mutual TLS. Each problem reads "key: message".
#include <string>
#include <vector>

#include "runtime/config/settings.hpp"

namespace seerflow::config {

std::vector<std::string> cluster_problems(const settings& s);

// The id this node has in the cluster: cluster.node_id, else node_name.
std::string cluster_node_id(const settings& s);

}  // namespace seerflow::config
