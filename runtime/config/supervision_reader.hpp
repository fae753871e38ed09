#pragma once
// Reads the `supervision:` tree: structure only (names, kinds, strategies, intensities, restart
// policies, args). Whether each leaf's kind exists is checked against the actor catalog in
// actors/, which runtime/ cannot see.
#include <span>
#include <string_view>

#include "runtime/config/read_context.hpp"
#include "runtime/config/settings.hpp"
#include "runtime/config/yaml_document.hpp"

namespace seerflow::config {

struct supervision_limits {
  int max_depth = 16;  // the root is at depth 1
  int max_nodes = 1000;
};

// Fills `out` from `node` (the value of `supervision:`), reporting every structural problem
// under key paths such as "supervision.children[2].name". Names must be unique in the tree
// (they are registry names) and the root must be a supervisor.
void read_supervision(const yaml_node& node, read_context& ctx, tree_node& out,
                      const supervision_limits& limits = {});

// The keys of a tree node, for describe_schema().
struct node_key {
  std::string_view key;
  std::string_view type;
  std::string_view default_value;
  std::string_view description;
};
std::span<const node_key> supervision_node_keys();

}  // namespace seerflow::config
