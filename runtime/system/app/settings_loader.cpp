#include "runtime/system/app/settings_loader.hpp"

#include <cstdio>

#include "actors/catalog.hpp"
#include "runtime/config/loader.hpp"

namespace seerflow::app {

std::optional<config::settings> load_settings_or_report(const std::string& config_file) {
  config::load_result r;
  if (config_file.empty()) {
    r.value = config::default_settings();
  } else {
    r = config::load_file(config_file);
  }
  std::size_t errors = r.errors.size();
  for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", config::to_string(e).c_str());
  // Checked even when the file has other errors, so one run names every problem (a node the
  // loader could not read has no kind and is skipped by the catalog).
  for (const auto& e : actors::builtin_catalog().validate(r.value.supervision)) {
    std::fprintf(stderr, "%s\n", e.c_str());
    ++errors;
  }
  if (errors > 0) {
    std::fprintf(stderr, "%s: %zu configuration error%s\n",
                 config_file.empty() ? "built-in defaults" : config_file.c_str(), errors,
                 errors == 1 ? "" : "s");
    return std::nullopt;
  }
  return std::move(r.value);
}

}  // namespace seerflow::app
