#include "runtime/config/cluster_tree.hpp"

namespace seerflow::config {

namespace {

bool has_kind(const tree_node& n, const std::string& kind) {
  if (n.kind == kind) return true;
  for (const auto& c : n.children)
    if (has_kind(c, kind)) return true;
  return false;
}

}  // namespace

tree_node with_cluster_leaf(tree_node root) {
  if (has_kind(root, "cluster")) return root;
  tree_node leaf;
  leaf.name = "cluster";
  leaf.kind = "cluster";
  std::size_t at = 0;
  while (at < root.children.size() && root.children[at].name != "directory") ++at;
  at = at == root.children.size() ? root.children.size() : at + 1;
  root.children.insert(root.children.begin() + static_cast<std::ptrdiff_t>(at), std::move(leaf));
  return root;
}

}  // namespace seerflow::config
