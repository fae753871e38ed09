// The entity detector: an odd step in an entity's habit shows on the sequence channel, its
// volume on the entity-volume channel, and a restored detector continues bit-identically.
#include <catch2/catch.hpp>

#include <random>

#include "runtime/detect/entity_detector.hpp"
#include "tests/unit/detect/hostile_bytes.hpp"

using namespace seerflow;
using detect::entity_detector;

namespace {
constexpr std::int64_t minute = 60'000'000'000;
const std::int64_t t0 = 28'333'333LL * minute;
}  // namespace

TEST_CASE("an entity's odd step shows on the sequence channel") {
  entity_detector d(detect::settings{});
  std::int64_t t = t0;
  for (int i = 0; i < 300; ++i) {
    d.observe(t += minute / 10, 1);  // accept
    d.observe(t += minute / 10, 2);  // session opened
    d.observe(t += minute / 10, 3);  // session closed
  }
  const auto habitual = d.observe(t += minute / 10, 1);
  CHECK(habitual.sequence.warm);
  CHECK(habitual.sequence.value < 0.1);
  const auto odd = d.observe(t += minute / 10, 3);  // closed without being opened
  CHECK(odd.sequence.value > 0.7);
  CHECK(odd.entity_volume.present);
  detect::partial_scores p;
  odd.into(p);
  CHECK(at(p, detect::channel::sequence).value == odd.sequence.value);
}

TEST_CASE("a restored entity detector continues bit-identically; damage is refused") {
  detect::settings s;
  s.volume.season_buckets = 60;
  entity_detector a(s);
  std::mt19937_64 rng(101);
  std::int64_t t = t0;
  for (int i = 0; i < 5000; ++i)
    a.observe(t += static_cast<std::int64_t>(rng() % minute), rng() % 9);
  const std::string bytes = a.snapshot();
  entity_detector b(s);
  REQUIRE(b.restore(bytes));
  CHECK(b.snapshot() == bytes);
  for (int i = 0; i < 5000; ++i) {
    const auto dt = static_cast<std::int64_t>(rng() % minute);
    const auto id = rng() % 9;
    const auto ra = a.observe(t += dt, id), rb = b.observe(t, id);
    REQUIRE(ra.sequence.value == rb.sequence.value);
    REQUIRE(ra.entity_volume.value == rb.entity_volume.value);
  }
  bool prefix = false;
  detect::testing::hostile_inputs(
      bytes, 2,
      [&](const std::string& bad) {
        entity_detector c(s);
        const bool ok = c.restore(bad);
        if (ok)
          for (int i = 0; i < 50; ++i) c.observe(t + i * minute, static_cast<std::uint64_t>(i % 4));
        return ok;
      },
      prefix);
  CHECK_FALSE(prefix);
}
