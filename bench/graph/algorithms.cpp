// The entity graph at scale: bench_graph_algorithms [--entities N] [--edges M] [--samples K]
//                                                   [--seed S]
// A synthetic graph shaped like an estate's entities: N entities in communities of ~100 (teams,
// subnets), M distinct typed relations drawn by preferential attachment, 80 % inside the
// entity's community and 20 % across, so degrees are heavy-tailed (a few hubs, many leaves)
// and there is community structure for Louvain to find. Seeded: the same graph every run.
// Prints one JSON object: the time to fold the relations into the edge store, to build the
// view, and of PageRank, Louvain and sampled betweenness, and the memory (RSS after each step
// and peak). Times are process CPU seconds (single-threaded steps on a possibly shared machine);
// the targets are PageRank and Louvain under 5 s each at 100,000 entities and 1,000,000 edges.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/graph/betweenness.hpp"
#include "runtime/graph/entity_graph.hpp"
#include "runtime/graph/graph_view.hpp"
#include "runtime/graph/louvain.hpp"
#include "runtime/graph/pagerank.hpp"
#include "runtime/util/hash.hpp"

namespace sg = seerflow::graph;
namespace sm = seerflow::model;

namespace {

// Process CPU time: the machine may be shared, and every step here is single-threaded.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double seconds_since(double t0) {
  return cpu_seconds() - t0;
}

long status_kb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key) + 1);
  return 0;
}

sm::entity_ref entity(std::uint32_t i) {
  sm::entity_ref e;
  e.type = static_cast<sm::entity_type>(i % 6);
  e.value = "e" + std::to_string(i);
  const auto h1 = seerflow::util::mix64(i + 1), h2 = seerflow::util::mix64(h1);
  std::memcpy(e.id.data(), &h1, 8);
  std::memcpy(e.id.data() + 8, &h2, 8);
  return e;
}

}  // namespace

int main(int argc, char** argv) {
  std::uint32_t n = 100'000;
  std::size_t m = 1'000'000, samples = 64;
  std::uint64_t seed = 42;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i];
    if (k == "--entities")
      n = static_cast<std::uint32_t>(std::stoul(argv[i + 1]));
    else if (k == "--edges")
      m = std::stoul(argv[i + 1]);
    else if (k == "--samples")
      samples = std::stoul(argv[i + 1]);
    else if (k == "--seed")
      seed = std::stoull(argv[i + 1]);
    else {
      std::cerr << "unknown option " << k << "\n";
      return 2;
    }
  }
  const std::uint32_t community = 100;
  std::mt19937_64 rng(seed);
  // Preferential attachment: an endpoint drawn from the list of endpoints so far is drawn in
  // proportion to its degree; one list per community and one global.
  std::vector<std::vector<std::uint32_t>> local((n + community - 1) / community);
  std::vector<std::uint32_t> global;
  std::vector<sm::entity_ref> ents(n);
  for (std::uint32_t i = 0; i < n; ++i) ents[i] = entity(i);
  const long rss_start = status_kb("VmRSS:");

  sg::entity_graph g({n, m});
  auto t0 = cpu_seconds();
  std::uint64_t observed = 0;
  std::int64_t t = 1'700'000'000'000'000'000;
  while (g.edge_count() < m && observed < 4 * m) {
    const std::uint32_t a = static_cast<std::uint32_t>(rng() % n);
    const auto& pool = (rng() % 5 != 0) ? local[a / community] : global;
    std::uint32_t b;
    if (!pool.empty() && rng() % 2)
      b = pool[rng() % pool.size()];
    else if (&pool == &global)
      b = static_cast<std::uint32_t>(rng() % n);
    else
      b = std::min<std::uint32_t>(
          n - 1, (a / community) * community + static_cast<std::uint32_t>(rng() % community));
    if (a == b) continue;
    local[a / community].push_back(a);
    local[b / community].push_back(b);
    global.push_back(a);
    global.push_back(b);
    g.observe({ents[a], ents[b], static_cast<sm::edge_type>(rng() % 6), t, t, 1});
    t += 1000;
    ++observed;
  }
  const double insert_s = seconds_since(t0);
  local.clear();
  local.shrink_to_fit();
  global = {};
  const long rss_store = status_kb("VmRSS:");

  t0 = cpu_seconds();
  const auto view = sg::build_view(g);
  const double view_s = seconds_since(t0);
  const long rss_view = status_kb("VmRSS:");

  t0 = cpu_seconds();
  const auto pr = sg::pagerank(view);
  const double pagerank_s = seconds_since(t0);

  t0 = cpu_seconds();
  const auto lv = sg::louvain(view);
  const double louvain_s = seconds_since(t0);

  t0 = cpu_seconds();
  const auto bc = sg::betweenness(view, {samples, seed});
  const double betweenness_s = seconds_since(t0);

  nlohmann::ordered_json out;
  out["bench"] = "graph_algorithms";
  out["entities"] = g.node_count();
  out["edges"] = g.edge_count();
  out["observations"] = observed;
  out["view_vertices"] = view.vertex_count();
  out["view_pairs"] = view.pair_count();
  out["insert_s"] = insert_s;
  out["insert_per_s"] = static_cast<double>(observed) / insert_s;
  out["view_build_s"] = view_s;
  out["pagerank_s"] = pagerank_s;
  out["pagerank_iterations"] = pr.iterations;
  out["louvain_s"] = louvain_s;
  out["louvain_communities"] = lv.count;
  out["louvain_modularity"] = lv.modularity;
  out["louvain_levels"] = lv.levels;
  out["betweenness_s"] = betweenness_s;
  out["betweenness_sources"] = bc.sources;
  out["betweenness_sampled"] = bc.sampled;
  out["rss_start_mb"] = static_cast<double>(rss_start) / 1024.0;
  out["rss_edge_store_mb"] = static_cast<double>(rss_store) / 1024.0;
  out["rss_with_view_mb"] = static_cast<double>(rss_view) / 1024.0;
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  out["peak_rss_mb"] = static_cast<double>(ru.ru_maxrss) / 1024.0;
  out["targets_met"] = pagerank_s < 5.0 && louvain_s < 5.0;
  std::cout << out.dump() << "\n";
  return 0;
}
