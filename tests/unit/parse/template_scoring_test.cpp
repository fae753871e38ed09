// The Loghub metrics on hand-made examples whose values are worked out by hand.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runtime/parse/template_scoring.hpp"

namespace sp = seerflow::parse;

TEST_CASE("grouping right but every template string different") {
  const std::vector<std::string> truth = {"A", "A", "B", "B", "C"};
  const std::vector<std::string> predicted = {"X", "X", "Y", "Y", "Y"};
  const auto s = sp::score_templates(truth, predicted);
  CHECK(s.lines == 5);
  CHECK(s.true_groups == 3);
  CHECK(s.predicted_groups == 2);
  CHECK(s.ga == Approx(0.4));   // only the two lines of A are grouped exactly
  CHECK(s.fga == Approx(0.4));  // P = 1/2, R = 1/3
  CHECK(s.pa == 0.0);
  CHECK(s.fta == 0.0);
}

TEST_CASE("a mixed group costs all its lines, equal strings count for PA and FTA") {
  const std::vector<std::string> truth = {"A", "A", "B", "C"};
  const std::vector<std::string> predicted = {"A", "A", "B", "B"};
  const auto s = sp::score_templates(truth, predicted);
  CHECK(s.ga == Approx(0.5));
  CHECK(s.pa == Approx(0.75));
  CHECK(s.fga == Approx(0.4));
  CHECK(s.fta == Approx(0.4));
}

TEST_CASE("a perfect parse scores one everywhere") {
  const std::vector<std::string> t = {"a <*>", "b", "a <*>", "c <*> d"};
  const auto s = sp::score_templates(t, t);
  CHECK(s.ga == 1.0);
  CHECK(s.fga == 1.0);
  CHECK(s.pa == 1.0);
  CHECK(s.fta == 1.0);
}

TEST_CASE("a split true group is not exact, a pure part with the right string counts for FTA") {
  const std::vector<std::string> truth = {"A", "A", "A", "B"};
  const std::vector<std::string> predicted = {"A", "A", "Z", "B"};
  const auto s = sp::score_templates(truth, predicted);
  CHECK(s.ga == Approx(0.25));  // only B
  CHECK(s.pa == Approx(0.75));
  CHECK(s.fga == Approx(2.0 * (1.0 / 3) * 0.5 / (1.0 / 3 + 0.5)));
  CHECK(s.fta == Approx(2.0 * (2.0 / 3) * 1.0 / (2.0 / 3 + 1.0)));  // A and B groups: 2 of 3
}

TEST_CASE("no lines, no score") {
  const auto s = sp::score_templates({}, {});
  CHECK(s.lines == 0);
  CHECK(s.ga == 0.0);
  CHECK(s.fga == 0.0);
}
