#pragma once
// Helpers shared by the config tests: a fake environment and error lists as strings.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/config/config_error.hpp"
#include "runtime/config/env_lookup.hpp"
#include "runtime/config/loader.hpp"

namespace seerflow::config::test {

inline env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A fixed environment so no test depends on the machine's HOME or XDG variables.
inline env_lookup test_env() {
  return env_of({{"HOME", "/home/tester"}});
}

inline std::vector<std::string> error_lines(const load_result& r) {
  std::vector<std::string> out;
  for (const auto& e : r.errors) out.push_back(to_string(e));
  return out;
}

inline load_result load(const std::string& yaml, const env_lookup& env = test_env()) {
  return load_string(yaml, "t.yaml", env);
}

}  // namespace seerflow::config::test

namespace Catch {
template <>
struct StringMaker<seerflow::config::location> {
  static std::string convert(const seerflow::config::location& l) {
    return l.file + ":" + std::to_string(l.line) + ":" + std::to_string(l.column);
  }
};
}  // namespace Catch
