#pragma once
// The node's current Sigma rule set. Installing a new set is one atomic swap: source actors
// compare the pointer at each batch and rebuild their matcher when it changed, so a reload never
// pauses ingest and a batch is always matched against one consistent set.
#include <memory>

#include "rules/engine/rule_set.hpp"
#include "runtime/config/settings.hpp"

namespace seerflow::actors {

std::shared_ptr<const rules::rule_set> current_sigma_rules();
void install_sigma_rules(std::shared_ptr<const rules::rule_set> rules);

// Loads the rules the settings name (bundled, sigma.rule_dirs), logs what loaded and every
// rejection with its reason, and installs them. Installs nothing when sigma.enabled is false.
// Returns the number of rejected rules. `quiet` (analyze) leaves out the informational lines;
// rejections are always reported.
std::size_t load_and_install_sigma_rules(const config::settings& cfg, bool quiet);

}  // namespace seerflow::actors
