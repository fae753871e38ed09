// Runs every case of ../shared/data/sigma-conformance.jsonl (sigma-semantics.md §12) and
// reports each failing case id.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "rules/engine/correlation.hpp"
#include "rules/engine/rule_set.hpp"
#include "tests/unit/rules/event_json.hpp"

namespace sr = seerflow::rules;
using nlohmann::json;

namespace {

// Returns an empty string when the case passes, else what went wrong.
std::string run_case(const json& c) {
  sr::rule_set rs;
  rs.add_yaml(c.at("rule").get<std::string>(), c.at("id").get<std::string>());
  rs.finalize();
  const bool expect_error = c.value("expect_error", false);
  if (expect_error) {
    if (rs.rejections().empty()) return "expected a load error, rule loaded";
    return {};
  }
  if (!rs.rejections().empty()) return "rejected: " + rs.rejections().front().reason;
  const bool expected = c.at("match").get<bool>();
  sr::field_view ev(rs.fields());
  sr::match_scratch scratch;
  std::vector<std::uint32_t> hits;
  bool got = false;
  auto eval = [&](const json& event) {
    sr::testing::fill(ev, event);
    hits.clear();
    rs.evaluate(rs.all_rules(), ev, scratch, hits);
    // The prefilter must never hide a match: compare with the plain evaluation.
    std::vector<std::uint32_t> plain;
    for (std::uint32_t i = 0; i < rs.rules().size(); ++i)
      if (sr::rule_matches(rs.rules()[i], ev)) plain.push_back(i);
    if (plain != hits) throw std::runtime_error("prefilter disagrees with plain evaluation");
  };
  try {
    if (c.contains("events") && c.at("events").is_array()) {
      sr::correlation_engine corr(rs);
      std::vector<sr::correlation_result> fired;
      for (const auto& e : c.at("events")) {
        eval(e);
        const auto t = e.contains("timestamp") ? sr::testing::iso_ns(e.at("timestamp")) : 0;
        if (rs.correlations().empty()) {
          got = got || !hits.empty();
        } else {
          for (auto h : hits) corr.observe(h, ev, t, fired);
        }
      }
      if (!rs.correlations().empty()) got = !fired.empty();
    } else {
      eval(c.at("event"));
      got = !hits.empty();
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  if (got != expected) return std::string("expected ") + (expected ? "match" : "no match");
  return {};
}

}  // namespace

TEST_CASE("every sigma-conformance.jsonl case passes") {
  const std::filesystem::path path =
      std::filesystem::path(SEERFLOW_SHARED_DATA) / "sigma-conformance.jsonl";
  if (!std::filesystem::exists(path)) std::exit(77);
  std::ifstream in(path);
  std::string line;
  int total = 0, passed = 0;
  std::vector<std::string> failures;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const json c = json::parse(line);
    ++total;
    const auto err = run_case(c);
    if (err.empty()) {
      ++passed;
    } else {
      failures.push_back(c.at("id").get<std::string>() + ": " + err);
    }
  }
  std::cout << "conformance: " << passed << "/" << total << " passed\n";
  for (const auto& f : failures) std::cout << "  FAIL " << f << "\n";
  CHECK(total >= 117);
  CHECK(failures.empty());
}
