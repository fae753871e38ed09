#include "actors/sigma_rules.hpp"

#include <atomic>

#include "rules/match/rule_library.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {
namespace {

std::atomic<std::shared_ptr<const rules::rule_set>>& slot() {
  static std::atomic<std::shared_ptr<const rules::rule_set>> s;
  return s;
}

}  // namespace

std::shared_ptr<const rules::rule_set> current_sigma_rules() {
  return slot().load(std::memory_order_acquire);
}

void install_sigma_rules(std::shared_ptr<const rules::rule_set> rules) {
  slot().store(std::move(rules), std::memory_order_release);
}

std::size_t load_and_install_sigma_rules(const config::settings& cfg, bool quiet) {
  if (!cfg.sigma.enabled) {
    install_sigma_rules(nullptr);
    if (!quiet) log::info("sigma", "disabled (sigma.enabled: false)");
    return 0;
  }
  rules::library_options opts;
  opts.bundled = cfg.sigma.bundled;
  opts.dirs = cfg.sigma.rule_dirs;
  rules::library_report report;
  std::shared_ptr<const rules::rule_set> rs;
  try {
    rs = rules::load_library(opts, report);
  } catch (const std::exception& e) {
    log::error("sigma", "loading rules failed: ", e.what(), "; running without Sigma rules");
    install_sigma_rules(nullptr);
    return 1;
  }
  for (const auto& r : report.rejected)
    log::warn("sigma", "rule rejected: ", r.file, " ", r.rule_id, ": ", r.reason);
  if (!quiet)
    log::info("sigma", report.rules, " rules and ", report.correlations,
              " correlation rules loaded", cfg.sigma.bundled ? " (bundled included)" : "", "; ",
              report.rejected.size(), " rejected; alerts from level ", cfg.sigma.min_alert_level);
  install_sigma_rules(std::move(rs));
  return report.rejected.size();
}

}  // namespace seerflow::actors
