#include "runtime/cluster/rendezvous.hpp"

#include <catch2/catch.hpp>

#include <map>

#include "runtime/util/hash.hpp"

using seerflow::cluster::rendezvous;

namespace {

// Keys as the directory sees them: hashed entity ids and template ids.
std::uint64_t key_of(std::uint64_t i) {
  return seerflow::util::fnv1a64("entity-" + std::to_string(i));
}

}  // namespace

TEST_CASE("rendezvous: every node computes the same owner whatever the member order") {
  rendezvous a({"n1", "n2", "n3"});
  rendezvous b({"n3", "n1", "n2", "n1"});
  REQUIRE(b.size() == 3);
  for (std::uint64_t i = 0; i < 1000; ++i) CHECK(a.owner(key_of(i)) == b.owner(key_of(i)));
}

TEST_CASE("rendezvous: ids spread evenly over the members") {
  for (std::size_t n : {2, 3, 5, 8}) {
    std::vector<std::string> members;
    for (std::size_t i = 0; i < n; ++i) members.push_back("node-" + std::to_string(i));
    rendezvous r(members);
    constexpr std::uint64_t keys = 60000;
    std::map<std::string, std::uint64_t> count;
    for (std::uint64_t i = 0; i < keys; ++i) ++count[r.owner(key_of(i))];
    // Sequential raw keys too (template ids can be small numbers).
    std::map<std::string, std::uint64_t> seq;
    for (std::uint64_t i = 0; i < keys; ++i) ++seq[r.owner(i)];
    const double fair = static_cast<double>(keys) / static_cast<double>(n);
    INFO(n << " members");
    REQUIRE(count.size() == n);
    REQUIRE(seq.size() == n);
    for (const auto& [m, c] : count) CHECK(std::abs(static_cast<double>(c) - fair) < 0.05 * fair);
    for (const auto& [m, c] : seq) CHECK(std::abs(static_cast<double>(c) - fair) < 0.05 * fair);
  }
}

TEST_CASE("rendezvous: a joining member takes about 1/n of the ids, all from the others") {
  rendezvous before({"a", "b", "c"});
  rendezvous after({"a", "b", "c", "d"});
  constexpr std::uint64_t keys = 40000;
  std::uint64_t moved = 0;
  for (std::uint64_t i = 0; i < keys; ++i) {
    const auto& o1 = before.owner(key_of(i));
    const auto& o2 = after.owner(key_of(i));
    if (o1 != o2) {
      ++moved;
      CHECK(o2 == "d");  // an id only ever moves to the newcomer
    }
  }
  const double share = static_cast<double>(moved) / keys;
  CHECK(share > 0.25 * 0.9);
  CHECK(share < 0.25 * 1.1);
}

TEST_CASE("rendezvous: a leaving member's ids move, and only those") {
  rendezvous before({"a", "b", "c"});
  rendezvous after({"a", "c"});
  constexpr std::uint64_t keys = 30000;
  std::uint64_t moved = 0;
  std::map<std::string, std::uint64_t> heirs;
  for (std::uint64_t i = 0; i < keys; ++i) {
    const auto& o1 = before.owner(key_of(i));
    const auto& o2 = after.owner(key_of(i));
    if (o1 == "b") {
      ++moved;
      ++heirs[o2];
    } else {
      CHECK(o1 == o2);
    }
  }
  CHECK(static_cast<double>(moved) / keys == Approx(1.0 / 3).epsilon(0.1));
  // The orphans are shared by the survivors, not dumped on one.
  REQUIRE(heirs.size() == 2);
  CHECK(static_cast<double>(heirs["a"]) / moved == Approx(0.5).epsilon(0.1));
}

TEST_CASE("rendezvous: a single member owns everything") {
  rendezvous r({"only"});
  for (std::uint64_t i = 0; i < 100; ++i) CHECK(r.owner(i) == "only");
}
