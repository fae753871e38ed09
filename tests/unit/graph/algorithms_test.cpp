#include <catch2/catch.hpp>
#include <numeric>
#include <random>

#include "runtime/graph/betweenness.hpp"
#include "runtime/graph/ego_graph.hpp"
#include "runtime/graph/louvain.hpp"
#include "runtime/graph/pagerank.hpp"
#include "tests/unit/graph/graph_fixtures.hpp"

using namespace seerflow::graph;

TEST_CASE("view: pairs from both ends, duplicates add weight, self pairs dropped") {
  const auto v = view_from_pairs(3, {{0, 1}, {1, 0}, {1, 2}, {2, 2}, {5, 1}});
  CHECK(v.vertex_count() == 3);
  CHECK(v.pair_count() == 2);
  CHECK(v.total_weight() == Approx(3.0));
  CHECK(v.offsets == std::vector<std::uint32_t>{0, 1, 3, 4});
  CHECK(v.targets == std::vector<std::uint32_t>{1, 0, 2, 1});
  CHECK(v.weights == std::vector<double>{2, 2, 1, 1});
}

TEST_CASE("pagerank: a star's centre and leaves match the closed form") {
  // Undirected star, n = 5, d = 0.85: r_c = (1-d)/n + d·4·r_l, r_l = (1-d)/n + d·r_c/4.
  const auto r = pagerank(test::star(4), {0.85, 200, 1e-12});
  REQUIRE(r.rank.size() == 5);
  const double rc = 0.132 / 0.2775, rl = 0.03 + 0.2125 * rc;
  CHECK(r.rank[0] == Approx(rc).epsilon(1e-6));
  for (int i = 1; i <= 4; ++i)
    CHECK(r.rank[static_cast<std::size_t>(i)] == Approx(rl).epsilon(1e-6));
  CHECK(std::accumulate(r.rank.begin(), r.rank.end(), 0.0) == Approx(1.0));
}

TEST_CASE("pagerank: the bridge ends of two cliques rank highest, symmetric ranks are equal") {
  const auto r = pagerank(test::two_cliques());
  CHECK(r.rank[3] == Approx(r.rank[4]));
  for (std::size_t i : {0, 1, 2, 5, 6, 7}) {
    CHECK(r.rank[i] < r.rank[3]);
    CHECK(r.rank[i] == Approx(r.rank[0]));
  }
  CHECK(r.iterations > 1);
  CHECK(pagerank(graph_view{}).rank.empty());
}

TEST_CASE("louvain: two cliques joined by a bridge are two communities, Q = 12/13 - 1/2") {
  const auto v = test::two_cliques();
  const auto r = louvain(v);
  REQUIRE(r.count == 2);
  for (std::size_t i : {1, 2, 3}) CHECK(r.community[i] == r.community[0]);
  for (std::size_t i : {5, 6, 7}) CHECK(r.community[i] == r.community[4]);
  CHECK(r.community[0] != r.community[4]);
  CHECK(r.modularity == Approx(12.0 / 13.0 - 0.5));
  CHECK(modularity(v, r.community) == Approx(r.modularity));
  // Everything in one community has modularity 0.
  CHECK(modularity(v, std::vector<std::uint32_t>(8, 0)) == Approx(0.0).margin(1e-12));
}

TEST_CASE("louvain: three cliques in a ring need aggregation and stay three") {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> p;
  for (std::uint32_t base : {0u, 5u, 10u})
    for (std::uint32_t i = 0; i < 5; ++i)
      for (std::uint32_t j = i + 1; j < 5; ++j) p.emplace_back(base + i, base + j);
  p.insert(p.end(), {{4, 5}, {9, 10}, {14, 0}});
  const auto r = louvain(view_from_pairs(15, p));
  CHECK(r.count == 3);
  for (std::uint32_t c = 0; c < 3; ++c)
    for (std::uint32_t i = 1; i < 5; ++i) CHECK(r.community[c * 5 + i] == r.community[c * 5]);
  CHECK(r.modularity > 0.5);
}

TEST_CASE("louvain: empty and edgeless views") {
  CHECK(louvain(graph_view{}).count == 0);
  const auto r = louvain(view_from_pairs(3, {}));
  CHECK(r.count == 3);
  CHECK(r.modularity == 0);
}

TEST_CASE("betweenness: exact values on a bridge, a star and a path") {
  auto b = betweenness(test::two_cliques(), {0, 1});
  CHECK_FALSE(b.sampled);
  // 3 lies on the only shortest path of the 3·4 pairs {0,1,2} x {4..7}: 12 of 21 pairs.
  CHECK(b.centrality[3] == Approx(12.0 / 21.0));
  CHECK(b.centrality[4] == Approx(12.0 / 21.0));
  for (std::size_t i : {0, 1, 2, 5, 6, 7}) CHECK(b.centrality[i] == Approx(0.0).margin(1e-12));
  CHECK(betweenness(test::star(5)).centrality[0] == Approx(1.0));
  const auto p = betweenness(test::path(5)).centrality;
  CHECK(p[0] == Approx(0.0).margin(1e-12));
  CHECK(p[1] == Approx(3.0 / 6.0));
  CHECK(p[2] == Approx(4.0 / 6.0));
}

TEST_CASE("betweenness: Brandes from every source equals Boost's exact result") {
  std::mt19937_64 rng(7);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> p;
  for (int i = 0; i < 120; ++i) p.emplace_back(rng() % 40, rng() % 40);
  const auto v = view_from_pairs(40, p);
  const auto exact = betweenness(v, {0, 1});
  std::vector<std::uint32_t> all(40);
  std::iota(all.begin(), all.end(), 0u);
  const auto mine = betweenness_from_sources(v, all);
  for (std::size_t i = 0; i < 40; ++i)
    CHECK(mine.centrality[i] == Approx(exact.centrality[i]).margin(1e-9));
}

TEST_CASE("betweenness: sampled above the limit, seeded, and it still finds the bridge") {
  const auto v = test::two_cliques();
  const auto a = betweenness(v, {4, 42});
  const auto b = betweenness(v, {4, 42});
  CHECK(a.sampled);
  CHECK(a.sources == 4);
  CHECK(a.centrality == b.centrality);
  const auto top =
      std::max_element(a.centrality.begin(), a.centrality.end()) - a.centrality.begin();
  CHECK((top == 3 || top == 4));
}

TEST_CASE("ego graph: radius 1 and 2 around a bridge end, bounded") {
  const auto v = test::two_cliques();
  auto e1 = ego(v, 3, 1);
  CHECK(e1.vertices.size() == 5);  // 3, 0, 1, 2, 4
  CHECK(e1.pairs.size() == 7);     // the clique's 6 and the bridge
  CHECK_FALSE(e1.truncated);
  auto e2 = ego(v, 3, 2);
  CHECK(e2.vertices.size() == 8);
  CHECK(e2.pairs.size() == 13);
  auto capped = ego(v, 3, 2, 3);
  CHECK(capped.vertices.size() == 3);
  CHECK(capped.truncated);
  CHECK(ego(v, 99, 2).vertices.empty());
  CHECK(ego(v, 0, 0).vertices.size() == 1);
}
