// max_clusters: the least recently used cluster goes, with everything that referred to it, so a
// stream of ever new templates keeps the miner's state bounded.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>

#include "runtime/parse/drain.hpp"

namespace sp = seerflow::parse;

namespace {

sp::drain_miner small_miner(std::size_t max_clusters) {
  sp::drain_options opt;
  opt.max_clusters = max_clusters;
  return sp::drain_miner(opt);
}

std::string random_word(std::mt19937_64& rng, std::size_t len) {
  std::string w;
  for (std::size_t i = 0; i < len; ++i) w.push_back(static_cast<char>('a' + rng() % 26));
  return w;
}

}  // namespace

TEST_CASE("the least recently used cluster is evicted beyond max_clusters") {
  auto miner = small_miner(3);
  CHECK(miner.add("alpha started").cluster_id == 1);
  CHECK(miner.add("beta started now").cluster_id == 2);
  CHECK(miner.add("gamma started right now").cluster_id == 3);
  CHECK(miner.cluster_count() == 3);
  CHECK(miner.add("delta started right now here").cluster_id == 4);
  CHECK(miner.cluster_count() == 3);
  CHECK_FALSE(miner.template_of(1).has_value());
  CHECK(miner.current_id(1) == 0);
  CHECK(miner.size_of(1) == 0);
  CHECK(miner.template_of(2) == "beta started now");
  // An evicted template comes back under a new id: ids are never reused.
  CHECK(miner.add("alpha started").cluster_id == 5);
  CHECK_FALSE(miner.template_of(2).has_value());
}

TEST_CASE("using a cluster keeps it") {
  auto miner = small_miner(3);
  miner.add("alpha started");
  miner.add("beta started now");
  miner.add("gamma started right now");
  CHECK(miner.add("alpha started").cluster_id == 1);  // now the most recent
  miner.add("delta started right now here");
  CHECK(miner.template_of(1) == "alpha started");
  CHECK_FALSE(miner.template_of(2).has_value());  // beta was the least recent
  CHECK(miner.template_of(3).has_value());
}

TEST_CASE("ids merged into an evicted cluster are forgotten with it") {
  auto miner = small_miner(2);
  miner.add("User alice logged in");
  miner.add("User bob logged in");
  miner.add("User carol logged in");  // 2 merged into 1
  REQUIRE(miner.current_id(2) == 1);
  miner.add("disk one is full of data");
  miner.add("network two is down since noon");
  CHECK(miner.current_id(1) == 0);
  CHECK(miner.current_id(2) == 0);
  CHECK_FALSE(miner.template_of(2).has_value());
}

TEST_CASE("a stream of new templates keeps clusters and tree nodes bounded") {
  auto miner = small_miner(100);
  std::mt19937_64 rng(42);
  std::size_t max_nodes = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line = random_word(rng, 6);
    const std::size_t words = 1 + rng() % 6;
    for (std::size_t w = 0; w < words; ++w) {
      line += ' ';
      line += random_word(rng, 1 + rng() % 8);
    }
    const auto m = miner.add(line);
    REQUIRE(m.cluster_id >= 1);
    REQUIRE(miner.cluster_count() <= 100);
    max_nodes = std::max(max_nodes, miner.tree_nodes());
  }
  // A node lies on the path of a live cluster: at most root + length + two token levels each.
  CHECK(max_nodes <= 1 + 100 * 3);
  CHECK(miner.cluster_count() == 100);
}

TEST_CASE("max_state_bytes bounds what the clusters hold, whatever the templates' size") {
  sp::drain_options opt;
  opt.max_state_bytes = 64 * 1024;
  sp::drain_miner miner(opt);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 3000; ++i) {
    // Messages of 200 long words: each template is tens of kilobytes.
    std::string line = random_word(rng, 8);
    for (int w = 0; w < 200; ++w) {
      line += ' ';
      line += random_word(rng, 40);
    }
    const auto m = miner.add(line);
    REQUIRE(m.cluster_id >= 1);
    REQUIRE(miner.template_of(m.cluster_id).has_value());  // the one just used always stays
    REQUIRE(miner.cluster_count() <= 2);
  }
  // Small templates: many fit in the same budget.
  sp::drain_miner small(opt);
  for (int i = 0; i < 3000; ++i) small.add(random_word(rng, 10) + " event");
  CHECK(small.cluster_count() > 50);
  CHECK(small.cluster_count() < 3000);
}
