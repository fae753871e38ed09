#pragma once
// Loading the configuration: YAML text -> settings, every problem collected with its file, line,
// column and key. Keys absent from the file (or set to an empty value) keep their defaults; a
// `supervision:` section replaces the built-in tree (conf/supervision.yaml, embedded).
#include <string>
#include <string_view>
#include <vector>

#include "runtime/config/config_error.hpp"
#include "runtime/config/env_lookup.hpp"
#include "runtime/config/settings.hpp"

namespace seerflow::config {

struct load_result {
  settings value;  // defaults overlaid with every valid key, even when errors were found
  std::vector<config_error> errors;

  bool ok() const { return errors.empty(); }
};

// Reads and loads a file; `value.origin` is `path`. An unreadable file is one error.
load_result load_file(const std::string& path, const env_lookup& env = process_env());

// Loads YAML text; errors and tree locations name `origin` as their file. At most 100 errors
// are listed, then one saying how many more were found.
load_result load_string(std::string_view yaml, const std::string& origin,
                        const env_lookup& env = process_env());

// Zero config: every default plus the built-in supervision tree, paths resolved.
settings default_settings(const env_lookup& env = process_env());

// The built-in supervision tree (conf/supervision.yaml, embedded in the binary); its nodes'
// locations name "conf/supervision.yaml (built-in)".
const tree_node& default_supervision_tree();

// Fills what depends on the environment: an empty data_dir becomes $SEERFLOW_DATA_DIR, else
// $XDG_DATA_HOME/seerflow (when absolute, as the XDG spec requires), else
// $HOME/.local/share/seerflow, else ./seerflow-data; an empty storage.path becomes
// <data_dir>/seerflow.db.
void resolve_paths(settings& s, const env_lookup& env);

}  // namespace seerflow::config
