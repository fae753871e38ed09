// The miner on the eight Loghub systems (real logs with corrected ground truth), one default
// configuration: grouping accuracy at least 0.95 on average and 0.85 on each, parsing accuracy
// at least 0.80 on average. Accuracy is deterministic, so these are exact, fair checks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/parse/drain.hpp"
#include "runtime/parse/loghub_corpus.hpp"
#include "runtime/parse/template_scoring.hpp"
#include "tests/support/shared_data.hpp"

namespace sp = seerflow::parse;

TEST_CASE("Loghub: GA >= 0.95 on average and >= 0.85 everywhere, PA >= 0.80 on average") {
  const auto dir = seerflow::test::require_shared_data("loghub");
  const auto names = sp::find_loghub_systems(dir);
  REQUIRE(names.size() >= 8);
  double sum_ga = 0, sum_pa = 0, min_ga = 1;
  for (const auto& name : names) {
    std::string error;
    const auto sys = sp::load_loghub_system(dir, name, &error);
    INFO(error);
    REQUIRE(sys.has_value());
    sp::drain_miner miner;
    std::vector<std::uint64_t> ids;
    for (const auto& c : sys->contents) ids.push_back(miner.add(c).cluster_id);
    std::vector<std::string> predicted;
    for (const auto id : ids) predicted.emplace_back(miner.template_of(id).value_or(""));
    const auto s = sp::score_templates(sys->templates, predicted);
    UNSCOPED_INFO(name << ": GA " << s.ga << " FGA " << s.fga << " PA " << s.pa << " FTA "
                       << s.fta);
    sum_ga += s.ga;
    sum_pa += s.pa;
    min_ga = std::min(min_ga, s.ga);
    CHECK(s.ga >= 0.85);
  }
  const double n = static_cast<double>(names.size());
  CHECK(sum_ga / n >= 0.95);
  CHECK(sum_pa / n >= 0.80);
  CHECK(min_ga >= 0.85);
}
