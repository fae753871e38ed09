#include "runtime/config/sink_tree.hpp"

namespace seerflow::config {
namespace {

tree_node* find_named(tree_node& n, const std::string& name) {
  if (n.name == name) return &n;
  for (auto& c : n.children)
    if (auto* hit = find_named(c, name)) return hit;
  return nullptr;
}

}  // namespace

std::string sink_actor_name(const std::string& sink_name) {
  return "sink-" + sink_name;
}

tree_node with_sink_leaves(tree_node root, const std::vector<sink_settings>& sinks) {
  if (sinks.empty()) return root;
  tree_node* parent = find_named(root, "sinks");
  if (parent == nullptr || parent->kind != "supervisor") {
    tree_node sup;
    sup.name = "sinks";
    sup.kind = "supervisor";
    sup.strategy = "one_for_one";
    sup.max_restarts = 10;
    sup.within_ms = 60000;
    std::size_t at = 0;
    while (at < root.children.size() && root.children[at].name != "alerts") ++at;
    if (at == root.children.size()) at = 0;
    root.children.insert(root.children.begin() + static_cast<std::ptrdiff_t>(at), std::move(sup));
    parent = &root.children[at];
  }
  for (const auto& s : sinks) {
    const auto name = sink_actor_name(s.name);
    if (find_named(root, name) != nullptr) continue;  // declared in the tree already
    tree_node leaf;
    leaf.name = name;
    leaf.kind = "alert_sink";
    leaf.args["sink"] = s.name;
    leaf.where = s.where;
    parent->children.push_back(std::move(leaf));
  }
  return root;
}

}  // namespace seerflow::config
