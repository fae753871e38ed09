// CUSUM: a mean shift of a few standard deviations is found within a few buckets in either
// direction, the sums restart after an alarm, a stationary series stays quiet, and snapshots
// round-trip (and are refused when damaged).
#include <catch2/catch.hpp>

#include <random>

#include "runtime/detect/cusum.hpp"
#include "tests/unit/detect/hostile_bytes.hpp"

using namespace seerflow;
using detect::cusum;

namespace {
// Buckets until the first alarm after the shift, or -1.
int buckets_to_alarm(double shift, int& alarms_before) {
  cusum c(detect::cusum_settings{});
  std::mt19937_64 rng(21);
  std::normal_distribution<double> noise(0, 3);
  alarms_before = 0;
  for (int i = 0; i < 200; ++i) alarms_before += c.update(100 + noise(rng)).alarm;
  for (int i = 0; i < 50; ++i) {
    const auto r = c.update(100 + shift + noise(rng));
    if (r.alarm) {
      CHECK(r.direction == (shift > 0 ? 1 : -1));
      CHECK(c.upper() == 0);
      CHECK(c.lower() == 0);
      return i + 1;
    }
  }
  return -1;
}
}  // namespace

TEST_CASE("CUSUM finds an upward mean shift within a few buckets") {
  int before = 0;
  const int k = buckets_to_alarm(3 * 3.0, before);  // +3 sd
  CHECK(k >= 1);
  CHECK(k <= 4);
  CHECK(before <= 1);
}

TEST_CASE("CUSUM finds a downward mean shift within a few buckets") {
  int before = 0;
  const int k = buckets_to_alarm(-3 * 3.0, before);
  CHECK(k >= 1);
  CHECK(k <= 4);
}

TEST_CASE("CUSUM accumulates a small shift that no single bucket shows") {
  int before = 0;
  const int k = buckets_to_alarm(1.0 * 3.0, before);  // +1 sd: slower, but found
  CHECK(k >= 1);
  CHECK(k <= 20);
}

TEST_CASE("CUSUM is silent while warming up") {
  cusum c(detect::cusum_settings{});
  for (int i = 0; i < 10; ++i) {
    const auto r = c.update(i == 5 ? 1000 : 10);
    CHECK_FALSE(r.warm);
    CHECK_FALSE(r.alarm);
  }
}

TEST_CASE("CUSUM restores bit-identically and refuses damaged snapshots") {
  cusum a(detect::cusum_settings{});
  std::mt19937_64 rng(23);
  std::normal_distribution<double> noise(50, 5);
  for (int i = 0; i < 77; ++i) a.update(noise(rng));
  util::byte_writer w;
  a.snapshot(w);
  cusum b(detect::cusum_settings{});
  util::byte_reader r(w.buffer());
  REQUIRE(b.restore(r));
  CHECK(r.at_end());
  for (int i = 0; i < 500; ++i) {
    const double y = noise(rng) + (i > 250 ? 20 : 0);
    const auto ra = a.update(y), rb = b.update(y);
    REQUIRE(ra.statistic == rb.statistic);
    REQUIRE(ra.alarm == rb.alarm);
  }
  bool prefix = false;
  detect::testing::hostile_inputs(
      w.buffer(), 2,
      [&](const std::string& bytes) {
        cusum c(detect::cusum_settings{});
        util::byte_reader rr(bytes);
        const bool ok = c.restore(rr);
        if (ok) c.update(1);
        return ok;
      },
      prefix);
  CHECK_FALSE(prefix);
}
