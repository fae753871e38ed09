// Half-space trees: an isolated point scores above the mass, the trees are deterministic for a
// seed, a restored detector continues bit-identically, and damaged snapshots are refused.
#include <catch2/catch.hpp>

#include <array>
#include <random>
#include <vector>

#include "runtime/detect/half_space_trees.hpp"
#include "tests/unit/detect/hostile_bytes.hpp"

using namespace seerflow;
using seerflow::detect::half_space_trees;

namespace {

detect::hst_settings small() {
  detect::hst_settings s;
  s.window = 250;
  return s;
}

std::array<float, 2> cluster_point(std::mt19937_64& rng) {
  std::normal_distribution<float> n(0.3f, 0.04f);
  return {n(rng), n(rng)};
}

}  // namespace

TEST_CASE("an isolated point scores higher than the mass") {
  half_space_trees hst(small(), 2);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 1000; ++i) {
    const auto p = cluster_point(rng);
    hst.score_and_update(p);
  }
  REQUIRE(hst.warm());
  double mass = 0;
  for (int i = 0; i < 50; ++i) {
    const auto p = cluster_point(rng);
    mass += hst.score_and_update(p) / 50;
  }
  const std::array<float, 2> far{0.9f, 0.85f};
  const double isolated = hst.score_and_update(far);
  CHECK(isolated > mass + 0.3);
  CHECK(isolated <= 1.0);
  CHECK(mass >= 0.0);
}

TEST_CASE(
    "half-space trees are silent for their first points, then score within the first window") {
  half_space_trees hst(small(), 2);
  const std::array<float, 2> p{0.5f, 0.5f};
  for (std::uint32_t i = 0; i < hst.provisional_points(); ++i) {
    CHECK_FALSE(hst.warm());
    CHECK(hst.score_and_update(p) == 0.0);
  }
  CHECK(hst.warm());
}

TEST_CASE("in the first window an isolated point already scores higher than the mass") {
  // The points seen so far stand in for the reference window until it exists.
  half_space_trees hst(small(), 2);
  std::mt19937_64 rng(3);
  for (int i = 0; i < 100; ++i) hst.score_and_update(cluster_point(rng));
  REQUIRE(hst.warm());
  double mass = 0;
  for (int i = 0; i < 20; ++i) mass += hst.score_and_update(cluster_point(rng)) / 20;
  const std::array<float, 2> far{0.9f, 0.85f};
  const double isolated = hst.score_and_update(far);
  CHECK(isolated > mass + 0.3);
  CHECK(isolated <= 1.0);
  // And the scale carries over into the second window: the mass scores about the same.
  for (int i = 0; i < 250; ++i) hst.score_and_update(cluster_point(rng));
  double later = 0;
  for (int i = 0; i < 20; ++i) later += hst.score_and_update(cluster_point(rng)) / 20;
  CHECK(std::abs(later - mass) < 0.15);
}

TEST_CASE("the same seed gives the same scores; another seed other trees") {
  auto s = small();
  half_space_trees a(s, 3), b(s, 3);
  s.seed += 1;
  half_space_trees c(s, 3);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> u(0, 1);
  bool differs = false;
  for (int i = 0; i < 2000; ++i) {
    const std::array<float, 3> x{u(rng), u(rng), u(rng)};
    const double sa = a.score_and_update(x), sb = b.score_and_update(x), sc = c.score_and_update(x);
    REQUIRE(sa == sb);
    differs = differs || sa != sc;
  }
  CHECK(differs);
}

TEST_CASE("a restored half-space forest scores bit-identically") {
  half_space_trees a(small(), 3);
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<float> u(0, 1);
  auto next = [&] { return std::array<float, 3>{u(rng) * 0.5f, u(rng), u(rng) * u(rng)}; };
  for (int i = 0; i < 1337; ++i) a.score_and_update(next());
  util::byte_writer w;
  a.snapshot(w);
  const std::string bytes = w.take();
  half_space_trees b(small(), 3);
  util::byte_reader r(bytes);
  REQUIRE(b.restore(r));
  CHECK(r.at_end());
  for (int i = 0; i < 3000; ++i) {
    const auto x = next();
    REQUIRE(a.score_and_update(x) == b.score_and_update(x));
  }
  // A snapshot of the restored detector is the same bytes as the original's.
  util::byte_writer wa, wb;
  a.snapshot(wa);
  b.snapshot(wb);
  CHECK(wa.buffer() == wb.buffer());
}

TEST_CASE("half-space trees refuse damaged snapshots and other settings") {
  half_space_trees a(small(), 2);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 600; ++i) a.score_and_update(cluster_point(rng));
  util::byte_writer w;
  a.snapshot(w);
  const std::string good = w.take();
  bool prefix_accepted = false;
  detect::testing::hostile_inputs(
      good, 2,
      [&](const std::string& bytes) {
        half_space_trees b(small(), 2);
        util::byte_reader r(bytes);
        const bool ok = b.restore(r);
        if (ok) b.score_and_update(cluster_point(rng));
        return ok;
      },
      prefix_accepted);
  CHECK_FALSE(prefix_accepted);
  auto other = small();
  other.trees = 10;
  half_space_trees c(other, 2);
  util::byte_reader r(good);
  CHECK_FALSE(c.restore(r));
}
