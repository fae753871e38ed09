// The bundled rules against the real path an event takes: raw syslog or access-log lines are
// decoded by the source pipeline (logsource inference included), turned into rule fields and
// matched. Every rule has a positive and a near-miss negative case in
// tests/rules/bundled_cases.jsonl; every correlation rule a log in tests/rules/correlation_cases/.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "rules/match/rule_library.hpp"
#include "rules/match/sigma_matcher.hpp"
#include "runtime/parse/source_pipeline.hpp"

using namespace seerflow;
namespace fs = std::filesystem;

namespace {

std::shared_ptr<const rules::rule_set> bundled() {
  static const auto rs = [] {
    rules::library_report report;
    auto r = rules::load_library({}, report);
    for (const auto& rej : report.rejected)
      UNSCOPED_INFO("rejected " << rej.file << " " << rej.rule_id << ": " << rej.reason);
    CHECK(report.rejected.empty());
    return r;
  }();
  return rs;
}

parse::source_pipeline make_pipeline() {
  parse::source_pipeline_options o;
  o.source = "test";
  o.replay = true;
  o.first_year = 2026;
  return parse::source_pipeline(o, nullptr);
}

std::vector<model::event> decode(parse::source_pipeline& p, const std::string& format,
                                 const std::vector<std::string>& lines) {
  model::raw_batch b;
  b.format = format == "raw" ? model::input_format::raw : model::input_format::syslog;
  for (const auto& l : lines) b.records.push_back({l, 1, "test"});
  parse::pipeline_output out;
  p.process(b, out);
  return out.events;
}

std::set<std::string> ids_of_hits(const rules::sigma_matcher& m) {
  std::set<std::string> out;
  for (const auto i : m.last_hits()) out.insert(m.rules().rules()[i].info.id);
  return out;
}

}  // namespace

TEST_CASE("every bundled rule loads; there are at least 60 detection and 5 correlation rules") {
  const auto rs = bundled();
  CHECK(rs->rules().size() >= 60);
  CHECK(rs->correlations().size() >= 5);
  for (const auto& r : rs->rules()) {
    INFO(r.info.file << " " << r.info.id);
    CHECK(r.info.author == "Seerflow");
    CHECK_FALSE(r.info.tactics.empty());
    CHECK_FALSE(r.info.techniques.empty());
  }
}

TEST_CASE("bundled rules: each positive case fires its rule, each negative case does not") {
  const auto rs = bundled();
  std::ifstream in(std::string(SEERFLOW_SOURCE_DIR) + "/tests/rules/bundled_cases.jsonl");
  REQUIRE(in);
  std::set<std::string> positive_seen, negative_seen, all_ids;
  for (const auto& r : rs->rules()) all_ids.insert(r.info.id);
  std::string line;
  int cases = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto c = nlohmann::json::parse(line);
    const std::string rule = c["rule"], format = c["format"], text = c["line"];
    const bool expect = c["match"];
    auto pipeline = make_pipeline();
    rules::sigma_matcher m(rs);
    const auto evs = decode(pipeline, format, {text});
    INFO("rule " << rule << " case " << text);
    REQUIRE(evs.size() == 1);
    std::vector<model::alert> alerts;
    m.match(evs[0], alerts);
    const auto hits = ids_of_hits(m);
    CHECK(hits.count(rule) == (expect ? 1u : 0u));
    (expect ? positive_seen : negative_seen).insert(rule);
    ++cases;
  }
  CHECK(cases > 120);
  for (const auto& id : all_ids) {
    INFO("rule " << id);
    CHECK(positive_seen.count(id) == 1);
    CHECK(negative_seen.count(id) == 1);
  }
}

TEST_CASE("correlation cases: the expected correlations fire, the others stay quiet") {
  const auto rs = bundled();
  const fs::path dir = fs::path(SEERFLOW_SOURCE_DIR) / "tests/rules/correlation_cases";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream ej(entry.path());
    const auto expect = nlohmann::json::parse(ej);
    std::ifstream log(dir / expect["log"].get<std::string>());
    std::vector<std::string> lines;
    for (std::string l; std::getline(log, l);)
      if (!l.empty()) lines.push_back(l);
    auto pipeline = make_pipeline();
    rules::sigma_matcher m(rs);
    std::set<std::string> fired;
    std::vector<model::alert> alerts;
    for (const auto& ev : decode(pipeline, expect.value("format", "syslog"), lines)) {
      m.match(ev, alerts);
      for (const auto& c : m.last_correlations())
        fired.insert(rs->correlations()[c.correlation].info.id);
    }
    INFO(entry.path().filename().string());
    for (const auto& id : expect["fire"]) CHECK(fired.count(id.get<std::string>()) == 1);
    for (const auto& id : expect.value("not_fire", nlohmann::json::array()))
      CHECK(fired.count(id.get<std::string>()) == 0);
    ++files;
  }
  CHECK(files >= 5);
}
