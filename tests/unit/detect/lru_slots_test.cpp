// lru_slots: exact least-recently-used eviction, checked against a plain list model over long
// random streams (long enough that the use queue is compacted and its taken front trimmed many
// times).
#include <catch2/catch.hpp>

#include <algorithm>
#include <list>
#include <random>

#include "runtime/detect/lru_slots.hpp"

using seerflow::detect::lru_slots;

TEST_CASE("lru_slots evicts exactly the least recently used id") {
  for (const std::size_t capacity : {1u, 3u, 64u}) {
    lru_slots slots(capacity);
    std::list<std::uint64_t> recency;  // most recent first
    std::mt19937_64 rng(capacity);
    for (int i = 0; i < 20000; ++i) {
      // Mostly a hot set, sometimes a cold id: both hits and evictions are frequent.
      const std::uint64_t id = rng() % 4 ? rng() % (capacity + 1) : 1000 + rng() % 5000;
      const auto it = std::find(recency.begin(), recency.end(), id);
      const bool present = it != recency.end();
      std::uint64_t expect_evicted = 0;
      bool expect_eviction = false;
      if (present) {
        recency.erase(it);
      } else if (recency.size() == capacity) {
        expect_eviction = true;
        expect_evicted = recency.back();
        recency.pop_back();
      }
      recency.push_front(id);
      const auto p = slots.use(id);
      REQUIRE(p.fresh == !present);
      REQUIRE(p.evicted == expect_eviction);
      if (expect_eviction) REQUIRE(p.evicted_id == expect_evicted);
      REQUIRE(slots.id_at(p.slot) == id);
      REQUIRE(slots.find(id) == static_cast<std::int64_t>(p.slot));
    }
    // order(): least to most recently used.
    const auto order = slots.order();
    REQUIRE(order.size() == recency.size());
    auto r = recency.rbegin();
    for (const auto s : order) CHECK(slots.id_at(s) == *r++);
  }
}
