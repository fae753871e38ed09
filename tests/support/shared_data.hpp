#pragma once
// Locates ../shared/data (real logs and rules). Tests that need it call require_shared_data(),
// which exits with code 77 (CTest: skipped) when the data is not there, so a missing data set
// is visible as "skipped" rather than silently passing.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace seerflow::test {

inline std::filesystem::path shared_data() {
  if (const char* env = std::getenv("SEERFLOW_SHARED_DATA")) return env;
  return SEERFLOW_SHARED_DATA;
}

inline std::filesystem::path require_shared_data(const std::string& sub = "") {
  auto p = shared_data() / sub;
  if (!std::filesystem::exists(p)) {
    std::fprintf(stderr, "shared data not found at %s: skipping\n", p.c_str());
    std::exit(77);
  }
  return p;
}

}  // namespace seerflow::test
