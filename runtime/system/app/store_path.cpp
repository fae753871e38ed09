#include "runtime/system/app/store_path.hpp"

#include <filesystem>

#include "runtime/system/app/settings_loader.hpp"

namespace seerflow::app {

std::optional<std::string> store_path(const std::string& db, const std::string& data_dir,
                                      const std::string& config, std::string& err) {
  if (!db.empty()) return db;
  if (!data_dir.empty()) return (std::filesystem::path(data_dir) / "seerflow.db").string();
  auto cfg = load_settings_or_report(config);
  if (!cfg) {
    err = "cannot load the configuration";
    return std::nullopt;
  }
  if (!cfg->storage.path.empty()) return cfg->storage.path;
  return (std::filesystem::path(cfg->data_dir) / "seerflow.db").string();
}

std::optional<config::storage_settings> store_target(const std::string& db,
                                                     const std::string& data_dir,
                                                     const std::string& config, std::string& err) {
  config::storage_settings s;
  if (!db.empty() || !data_dir.empty()) {
    const auto path = store_path(db, data_dir, config, err);
    if (!path) return std::nullopt;
    s.path = *path;
    return s;
  }
  auto cfg = load_settings_or_report(config);
  if (!cfg) {
    err = "cannot load the configuration";
    return std::nullopt;
  }
  s = cfg->storage;
  if (s.path.empty()) s.path = (std::filesystem::path(cfg->data_dir) / "seerflow.db").string();
  return s;
}

}  // namespace seerflow::app
