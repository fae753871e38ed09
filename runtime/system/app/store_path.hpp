#pragma once
// Which database a store command works on: --db FILE, else --data-dir DIR, else the
// configuration's storage.path (or its data directory's seerflow.db).
#include <optional>
#include <string>

#include "runtime/config/settings.hpp"

namespace seerflow::app {

// Empty strings are "not given". On a configuration error, returns nullopt and sets err (the
// errors themselves were printed to stderr).
std::optional<std::string> store_path(const std::string& db, const std::string& data_dir,
                                      const std::string& config, std::string& err);

// The whole storage section a store command works on: --db FILE or --data-dir DIR name a SQLite
// file; otherwise the configuration's storage settings (its backend, path or PostgreSQL URL).
std::optional<config::storage_settings> store_target(const std::string& db,
                                                     const std::string& data_dir,
                                                     const std::string& config, std::string& err);

}  // namespace seerflow::app
