// key_set: inserts, lookups and erases agree with std::unordered_set under random operations
// that force long probe runs and wrap-around (erase must shift the keys after a hole back).
#include <catch2/catch.hpp>
#include <random>
#include <unordered_set>

#include "runtime/store/key_set.hpp"

using seerflow::store::key_set;

TEST_CASE("key_set agrees with std::unordered_set under random inserts and erases") {
  std::mt19937_64 rng(99);
  key_set s;
  std::unordered_set<std::uint64_t> ref;
  for (int i = 0; i < 200000; ++i) {
    // Few distinct keys (including 0), so erases hit present keys often.
    const std::uint64_t k = rng() % 5000;
    if (rng() % 3 == 0) {
      CHECK(s.erase(k) == (ref.erase(k) == 1));
    } else {
      CHECK(s.insert(k) == ref.insert(k).second);
    }
    if (i % 5000 == 0) {
      REQUIRE(s.size() == ref.size());
      for (std::uint64_t q = 0; q < 5000; ++q) REQUIRE(s.contains(q) == (ref.count(q) == 1));
    }
  }
  CHECK_FALSE(s.erase(123456789));
}
