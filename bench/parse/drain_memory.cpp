// Bounded memory: a stream of high-cardinality lines (ever new words and shapes, so that new
// templates keep appearing) through a miner with a low max_clusters, and the peak resident set:
//   bench_parse_drain_memory [--lines N] [--max-clusters C] [--cap-mb M]
// Defaults: 10,000,000 lines, max_clusters 1000, cap 32 MB. Peak RSS is VmHWM from
// /proc/self/status, read at checkpoints; the run passes when it stays under the cap (exit 1
// otherwise). Lines are generated on the fly into one reused buffer, so the miner's state is
// what the resident set measures.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "runtime/parse/drain.hpp"

namespace sp = seerflow::parse;

namespace {

std::size_t status_kb(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string key = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stoull(line.substr(key.size()));
  }
  return 0;
}

// One high-cardinality line: a random first word from a large vocabulary, a random number of
// random words, numbers and addresses, sometimes a long random token or a list.
void make_line(std::mt19937_64& rng, std::string& out) {
  static constexpr char letters[] = "abcdefghijklmnopqrstuvwxyz";
  const auto word = [&](std::size_t len) {
    for (std::size_t i = 0; i < len; ++i) out.push_back(letters[rng() % 26]);
  };
  out.clear();
  word(3 + rng() % 8);
  const std::size_t tokens = rng() % 24;
  for (std::size_t t = 0; t < tokens; ++t) {
    out.push_back(' ');
    switch (rng() % 8) {
      case 0:
        out += std::to_string(rng() % 100000);
        break;
      case 1:
        out += std::to_string(rng() % 256) + "." + std::to_string(rng() % 256) + ".1." +
               std::to_string(rng() % 256);
        break;
      case 2:
        word(20 + rng() % 200);
        break;  // long opaque tokens
      case 3:
        out += "key";
        out += std::to_string(rng() % 50);
        out += "=";
        word(4);
        break;
      default:
        word(1 + rng() % 9);
        break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t lines = 10'000'000;
  std::size_t max_clusters = 1000;
  double cap_mb = 32;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--lines") {
      lines = std::stoull(argv[i + 1]);
    } else if (a == "--max-clusters") {
      max_clusters = std::stoull(argv[i + 1]);
    } else if (a == "--cap-mb") {
      cap_mb = std::stod(argv[i + 1]);
    }
  }
  const std::size_t rss_start_kb = status_kb("VmRSS");
  sp::drain_options opt;
  opt.max_clusters = max_clusters;
  sp::drain_miner miner(opt);
  std::mt19937_64 rng(7);
  std::string line;
  nlohmann::json checkpoints = nlohmann::json::array();
  std::uint64_t created = 0;
  for (std::size_t i = 1; i <= lines; ++i) {
    make_line(rng, line);
    if (miner.add(line).change == sp::template_change::created) ++created;
    if (i % (lines / 10 == 0 ? 1 : lines / 10) == 0) {
      checkpoints.push_back({{"lines", i},
                             {"rss_kb", status_kb("VmRSS")},
                             {"peak_rss_kb", status_kb("VmHWM")},
                             {"clusters", miner.cluster_count()},
                             {"tree_nodes", miner.tree_nodes()}});
      std::fprintf(stderr, "%zu lines: RSS %zu kB (peak %zu kB), %zu clusters, %zu nodes\n", i,
                   status_kb("VmRSS"), status_kb("VmHWM"), miner.cluster_count(),
                   miner.tree_nodes());
    }
  }
  const std::size_t peak_kb = status_kb("VmHWM");
  const bool under = static_cast<double>(peak_kb) <= cap_mb * 1024.0;
  nlohmann::json out = {{"benchmark", "drain_memory"},
                        {"lines", lines},
                        {"max_clusters", max_clusters},
                        {"clusters_created", created},
                        {"rss_at_start_kb", rss_start_kb},
                        {"peak_rss_kb", peak_kb},
                        {"cap_mb", cap_mb},
                        {"under_cap", under},
                        {"checkpoints", checkpoints}};
  std::printf("%s\n", out.dump(2).c_str());
  return under ? 0 : 1;
}
