#include "actors/sigma_rules.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "rules/match/rule_library.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {
namespace {

// Rejections of the running set, as "file\x1frule\x1freason", for the reload rule.
std::set<std::string>& running_rejections() {
  static std::set<std::string> s;
  return s;
}

std::string rejection_key(const rules::rejection& r) {
  return r.file + '\x1f' + r.rule_id + '\x1f' + r.reason;
}

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
  opts.placeholders = cfg.sigma.placeholders;
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
  running_rejections().clear();
  for (const auto& r : report.rejected) running_rejections().insert(rejection_key(r));
  install_sigma_rules(std::move(rs));
  return report.rejected.size();
}

sigma_rules_watch::sigma_rules_watch(const config::settings& cfg)
    : cfg_(cfg), last_fingerprint_(fingerprint()) {}

std::string sigma_rules_watch::fingerprint() const {
  // Paths, sizes and modification times of every rule file: any edit, addition, removal or
  // rename changes it. Read errors count as content too (a directory that went away).
  std::string fp;
  for (const auto& dir : cfg_.sigma.rule_dirs) {
    std::error_code ec;
    std::vector<std::string> entries;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      const auto ext = it->path().extension();
      if (ext != ".yml" && ext != ".yaml") continue;
      std::error_code e2;
      const auto size = it->file_size(e2);
      const auto mtime = it->last_write_time(e2).time_since_epoch().count();
      entries.push_back(it->path().string() + '\x1f' + std::to_string(size) + '\x1f' +
                        std::to_string(mtime));
    }
    if (ec) entries.push_back(dir + "\x1f" + "error " + ec.message());
    std::sort(entries.begin(), entries.end());
    for (const auto& e : entries) fp += e + '\n';
  }
  return fp;
}

void sigma_rules_watch::poll() {
  if (!cfg_.sigma.enabled || cfg_.sigma.rule_dirs.empty()) return;
  auto fp = fingerprint();
  if (fp == last_fingerprint_) return;
  last_fingerprint_ = std::move(fp);
  log::info("sigma", "rule files changed; reloading");
  reload();
}

bool sigma_rules_watch::reload() {
  if (!cfg_.sigma.enabled) return false;
  last_fingerprint_ = fingerprint();
  rules::library_options opts;
  opts.bundled = cfg_.sigma.bundled;
  opts.dirs = cfg_.sigma.rule_dirs;
  opts.placeholders = cfg_.sigma.placeholders;
  rules::library_report report;
  std::shared_ptr<const rules::rule_set> rs;
  try {
    rs = rules::load_library(opts, report);
  } catch (const std::exception& e) {
    log::error("sigma", "reload refused, the running rules stay: ", e.what());
    return false;
  }
  std::size_t fresh = 0;
  for (const auto& r : report.rejected)
    if (!running_rejections().count(rejection_key(r))) {
      ++fresh;
      log::error("sigma", "reload: rule rejected: ", r.file, " ", r.rule_id, ": ", r.reason);
    }
  if (fresh > 0) {
    log::error("sigma", "reload refused (", fresh,
               " new errors above); the running rules stay until they are fixed");
    return false;
  }
  running_rejections().clear();
  for (const auto& r : report.rejected) running_rejections().insert(rejection_key(r));
  log::info("sigma", "reloaded: ", report.rules, " rules and ", report.correlations,
            " correlation rules; ", report.rejected.size(), " rejected");
  install_sigma_rules(std::move(rs));
  return true;
}

}  // namespace seerflow::actors
