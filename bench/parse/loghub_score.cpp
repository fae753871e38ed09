// Scores the template miner on Loghub-format data with the standard metrics (GA, FGA, PA, FTA):
//   bench_parse_loghub_score [--explain] [DIR...]
// Every system under each DIR (`<S>/<S>_2k.log_structured_corrected.csv`) is parsed with ONE
// default configuration. A table goes to stderr, one JSON object to stdout. --explain also
// prints, per system, the true templates that were not reproduced and what the miner made.
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "runtime/parse/drain.hpp"
#include "runtime/parse/loghub_corpus.hpp"
#include "runtime/parse/template_scoring.hpp"

namespace sp = seerflow::parse;

namespace {

// Which predicted templates each true template's lines received, and vice versa.
void explain(const sp::loghub_system& sys, const std::vector<std::string>& predicted) {
  std::map<std::string, std::map<std::string, std::size_t>> by_truth, by_pred;
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    ++by_truth[sys.templates[i]][predicted[i]];
    ++by_pred[predicted[i]][sys.templates[i]];
  }
  for (const auto& [truth, preds] : by_truth) {
    std::size_t n = 0;
    for (const auto& [p, c] : preds) n += c;
    const bool exact = preds.size() == 1 && by_pred[preds.begin()->first].size() == 1;
    const bool same_text = preds.size() == 1 && preds.begin()->first == truth;
    if (exact && same_text) continue;
    std::fprintf(stderr, "  [%s%s] %zu lines  TRUE: %s\n", exact ? "grouped" : "GROUP-ERR",
                 same_text ? "" : ",text", n, truth.c_str());
    for (const auto& [p, c] : preds) {
      std::fprintf(stderr, "        %5zu -> %s%s\n", c, p.c_str(),
                   by_pred[p].size() > 1 ? "   (mixed)" : "");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool want_explain = false;
  std::vector<std::string> dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--explain") {
      want_explain = true;
    } else {
      dirs.push_back(a);
    }
  }
  if (dirs.empty()) dirs.push_back(std::string(SEERFLOW_SHARED_DATA_DEFAULT) + "/loghub");

  nlohmann::json out;
  out["systems"] = nlohmann::json::object();
  double sum_ga = 0, sum_fga = 0, sum_pa = 0, sum_fta = 0, min_ga = 1;
  std::size_t systems = 0, lines = 0;
  double seconds = 0;
  std::fprintf(stderr, "%-12s %6s %6s %6s %6s %8s %8s\n", "system", "GA", "FGA", "PA", "FTA",
               "truth", "found");
  for (const auto& dir : dirs) {
    for (const auto& name : sp::find_loghub_systems(dir)) {
      std::string error;
      const auto sys = sp::load_loghub_system(dir, name, &error);
      if (!sys) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), error.c_str());
        return 2;
      }
      sp::drain_miner miner;
      std::vector<std::uint64_t> ids;
      ids.reserve(sys->contents.size());
      const auto t0 = std::chrono::steady_clock::now();
      for (const auto& content : sys->contents) ids.push_back(miner.add(content).cluster_id);
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::vector<std::string> predicted;
      predicted.reserve(ids.size());
      for (const auto id : ids) predicted.emplace_back(miner.template_of(id).value_or(""));
      const auto s = sp::score_templates(sys->templates, predicted);
      std::fprintf(stderr, "%-12s %6.3f %6.3f %6.3f %6.3f %8zu %8zu\n", name.c_str(), s.ga, s.fga,
                   s.pa, s.fta, s.true_groups, s.predicted_groups);
      if (want_explain) explain(*sys, predicted);
      out["systems"][name] = {{"ga", s.ga},
                              {"fga", s.fga},
                              {"pa", s.pa},
                              {"fta", s.fta},
                              {"lines", s.lines},
                              {"true_templates", s.true_groups},
                              {"predicted_templates", s.predicted_groups}};
      sum_ga += s.ga;
      sum_fga += s.fga;
      sum_pa += s.pa;
      sum_fta += s.fta;
      min_ga = std::min(min_ga, s.ga);
      lines += s.lines;
      ++systems;
    }
  }
  if (systems == 0) {
    std::fprintf(stderr, "no Loghub systems found\n");
    return 2;
  }
  const double n = static_cast<double>(systems);
  std::fprintf(stderr, "%-12s %6.3f %6.3f %6.3f %6.3f   (min GA %.3f)\n", "average", sum_ga / n,
               sum_fga / n, sum_pa / n, sum_fta / n, min_ga);
  out["average"] = {{"ga", sum_ga / n},
                    {"fga", sum_fga / n},
                    {"pa", sum_pa / n},
                    {"fta", sum_fta / n},
                    {"min_ga", min_ga}};
  out["systems_scored"] = systems;
  out["lines"] = lines;
  out["lines_per_second"] = seconds > 0 ? static_cast<double>(lines) / seconds : 0.0;
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
