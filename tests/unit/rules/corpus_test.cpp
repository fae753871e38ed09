// Loads the whole SigmaHQ corpus (../shared/data/sigma-rules): no crash anywhere, and at least
// 99% of the rules outside deprecated/ and unsupported/ load. Rejections are printed.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>

#include "rules/engine/rule_set.hpp"

namespace sr = seerflow::rules;
namespace fs = std::filesystem;

TEST_CASE("the SigmaHQ corpus loads") {
  const fs::path root = fs::path(SEERFLOW_SHARED_DATA) / "sigma-rules";
  if (!fs::exists(root)) std::exit(77);

  sr::rule_set active, legacy;
  std::size_t active_files = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    if (!entry.is_directory()) continue;
    const auto name = entry.path().filename().string();
    if (name == "deprecated" || name == "unsupported") {
      legacy.add_directory(entry.path());
    } else {
      active.add_directory(entry.path());
    }
  }
  active.finalize();
  legacy.finalize();
  active_files = active.files_read();
  const std::size_t loaded = active.rules().size() + active.correlations().size();
  const std::size_t rejected = active.rejections().size();
  std::map<std::string, int> reasons;
  std::cout << "active corpus: " << active_files << " files, " << loaded << " rules loaded, "
            << rejected << " rejected\n";
  for (const auto& r : active.rejections()) {
    std::cout << "  REJECTED " << r.file << " [" << r.rule_id << "]: " << r.reason << "\n";
  }
  std::cout << "deprecated/unsupported: " << legacy.rules().size() << " loaded, "
            << legacy.rejections().size() << " rejected\n";
  for (const auto& r : legacy.rejections()) {
    auto reason = r.reason.substr(0, r.reason.find(':'));
    ++reasons[reason];
  }
  for (const auto& [reason, n] : reasons) std::cout << "  " << n << " x " << reason << "\n";
  const double pct = 100.0 * double(loaded) / double(loaded + rejected);
  std::cout << "active load rate: " << pct << "%\n";
  CHECK(active_files > 3000);
  CHECK(pct >= 99.0);
}
