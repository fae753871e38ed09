#pragma once
// Node mode adds the cluster actor to the supervision tree when the tree has no leaf of kind
// `cluster`: a leaf named `cluster`, right after the directory (ordered shutdown stops newest
// first, so the node stops taking other nodes' batches before its directory stops).
#include "runtime/config/settings.hpp"

namespace seerflow::config {

tree_node with_cluster_leaf(tree_node root);

}  // namespace seerflow::config
