// Throughput of the template miner with the default masks on real logs:
//   bench_parse_drain_speed [--lines N] [--runs R] [DIR]
// The Content of every Loghub system under DIR (default: the shared data) is repeated to at
// least N lines (default 1,120,000) and fed to one miner, R times (default 5); the best and the
// median run are reported, in lines per second of CPU time (the process's own time: the machine
// may be shared) and of wall time. A second pass with stage timing on gives the split between
// tokenizing, masking and tree search. A third stream gives every number a fresh random value,
// so that values repeat far less than in the 2k-line samples.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/parse/drain.hpp"
#include "runtime/parse/loghub_corpus.hpp"

namespace sp = seerflow::parse;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct run_result {
  double cpu = 0, wall = 0;
  std::size_t clusters = 0;
  sp::drain_stage_ticks ticks;
};

run_result run(const std::vector<std::string>& lines, std::size_t total, bool stages) {
  sp::drain_options opt;
  opt.measure_stages = stages;
  sp::drain_miner miner(opt);
  run_result r;
  const double c0 = cpu_seconds(), w0 = wall_seconds();
  std::uint64_t sink = 0;
  for (std::size_t i = 0; i < total; ++i) sink += miner.add(lines[i % lines.size()]).cluster_id;
  r.cpu = cpu_seconds() - c0;
  r.wall = wall_seconds() - w0;
  r.clusters = miner.cluster_count();
  r.ticks = miner.stage_ticks();
  if (sink == 0) std::fprintf(stderr, "no clusters?\n");
  return r;
}

nlohmann::json measure(const std::vector<std::string>& lines, std::size_t total, int runs) {
  std::vector<run_result> results;
  for (int k = 0; k < runs; ++k) results.push_back(run(lines, total, false));
  std::sort(results.begin(), results.end(),
            [](const run_result& a, const run_result& b) { return a.cpu < b.cpu; });
  const run_result& best = results.front();
  const run_result& median = results[results.size() / 2];
  const double n = static_cast<double>(total);
  // The stage split, from a run with stage timing (which costs a little itself).
  const run_result timed = run(lines, total, true);
  const double all =
      static_cast<double>(timed.ticks.tokenize + timed.ticks.mask + timed.ticks.search);
  const double ns_per_line = median.cpu * 1e9 / n;
  const auto share = [&](std::uint64_t t) { return all > 0 ? static_cast<double>(t) / all : 0.0; };
  return {{"lines", total},
          {"distinct_lines", lines.size()},
          {"runs", runs},
          {"clusters", best.clusters},
          {"best_lines_per_cpu_second", n / best.cpu},
          {"median_lines_per_cpu_second", n / median.cpu},
          {"median_lines_per_wall_second", n / median.wall},
          {"median_ns_per_line", ns_per_line},
          {"stages",
           {{"tokenize_share", share(timed.ticks.tokenize)},
            {"mask_share", share(timed.ticks.mask)},
            {"search_share", share(timed.ticks.search)},
            {"tokenize_ns_per_line", ns_per_line * share(timed.ticks.tokenize)},
            {"mask_ns_per_line", ns_per_line * share(timed.ticks.mask)},
            {"search_ns_per_line", ns_per_line * share(timed.ticks.search)}}}};
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t total = 1120000;
  int runs = 5;
  std::string dir = std::string(SEERFLOW_SHARED_DATA_DEFAULT) + "/loghub";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--lines" && i + 1 < argc) {
      total = std::stoull(argv[++i]);
    } else if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::stoi(argv[++i]));
    } else {
      dir = a;
    }
  }
  std::vector<std::string> lines;
  for (const auto& name : sp::find_loghub_systems(dir)) {
    std::string error;
    const auto sys = sp::load_loghub_system(dir, name, &error);
    if (!sys) {
      std::fprintf(stderr, "%s\n", error.c_str());
      return 2;
    }
    lines.insert(lines.end(), sys->contents.begin(), sys->contents.end());
  }
  if (lines.empty()) {
    std::fprintf(stderr, "no Loghub systems under %s\n", dir.c_str());
    return 2;
  }
  nlohmann::json out;
  out["benchmark"] = "drain_speed";
  out["loghub"] = measure(lines, total, runs);

  // The same lines with every digit redrawn at random, a fresh copy for each repetition: values
  // rarely repeat, templates do.
  std::mt19937_64 rng(1);
  std::vector<std::string> fresh;
  const std::size_t copies = (total + lines.size() - 1) / lines.size();
  fresh.reserve(copies * lines.size());
  for (std::size_t c = 0; c < copies; ++c) {
    for (const auto& l : lines) {
      std::string s = l;
      for (auto& ch : s) {
        if (ch >= '0' && ch <= '9') ch = static_cast<char>('0' + rng() % 10);
      }
      fresh.push_back(std::move(s));
    }
  }
  out["fresh_values"] = measure(fresh, total, runs);

  const auto& l = out["loghub"];
  std::fprintf(stderr,
               "loghub x%zu: %.2f M lines/s (median CPU), best %.2f M; tokenize %.0f ns, mask "
               "%.0f ns, search %.0f ns per line\n",
               total / lines.size(), l["median_lines_per_cpu_second"].get<double>() / 1e6,
               l["best_lines_per_cpu_second"].get<double>() / 1e6,
               l["stages"]["tokenize_ns_per_line"].get<double>(),
               l["stages"]["mask_ns_per_line"].get<double>(),
               l["stages"]["search_ns_per_line"].get<double>());
  const auto& f = out["fresh_values"];
  std::fprintf(stderr, "fresh values: %.2f M lines/s (median CPU), best %.2f M\n",
               f["median_lines_per_cpu_second"].get<double>() / 1e6,
               f["best_lines_per_cpu_second"].get<double>() / 1e6);
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
