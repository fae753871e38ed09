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

// Hot reload of sigma.rule_dirs. poll() reloads when a directory's listing, sizes or times
// changed since the last look; reload() always does. A new set replaces the running one only
// when it brings no new rejection (a rule the running set rejected for the same reason may stay
// rejected); otherwise the running set stays and every new error is logged.
class sigma_rules_watch {
 public:
  explicit sigma_rules_watch(const config::settings& cfg);
  void poll();
  // Returns true when a new set was installed.
  bool reload();

 private:
  std::string fingerprint() const;

  const config::settings& cfg_;
  std::string last_fingerprint_;
};

}  // namespace seerflow::actors
