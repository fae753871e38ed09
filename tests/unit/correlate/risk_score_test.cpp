// Risk with half-life decay in event time: exact values where the decay is a power of two,
// one alert per crossing, and re-arming only after the risk decayed below the threshold.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "runtime/correlate/risk_score.hpp"

using seerflow::correlate::risk_score;

namespace {
constexpr std::int64_t hour = 3600LL * 1'000'000'000;
constexpr std::int64_t h = 4 * hour;  // the default half-life
constexpr std::int64_t t0 = 1'700'000'000LL * 1'000'000'000;
}  // namespace

TEST_CASE("risk halves every half-life of event time") {
  risk_score r(h, 50);
  CHECK_FALSE(r.add(t0, 40));
  CHECK(r.value_at(t0) == 40.0);
  CHECK(r.value_at(t0 + h) == 20.0);
  CHECK(r.value_at(t0 + 2 * h) == 10.0);
  CHECK(r.value_at(t0 + 3 * h) == 5.0);
  CHECK(r.value_at(t0 + h / 2) == Approx(40.0 / std::sqrt(2.0)).epsilon(1e-12));
  // Asking about an earlier time does not undo decay that has not happened yet.
  CHECK(r.value_at(t0 - h) == 40.0);
}

TEST_CASE("findings add up with their own decay") {
  risk_score r(h, 1000);
  r.add(t0, 40);
  r.add(t0 + h, 40);  // 40 * 1/2 + 40
  CHECK(r.value() == 60.0);
  CHECK(r.anchor_ns() == t0 + h);
  r.add(t0 + 3 * h, 10);  // 60 * 1/4 + 10
  CHECK(r.value() == 25.0);
  // A late finding (older than the anchor) counts at its decayed value and moves nothing.
  r.add(t0 + h, 8);  // 8 * 1/4
  CHECK(r.value() == 27.0);
  CHECK(r.anchor_ns() == t0 + 3 * h);
}

TEST_CASE("crossing the threshold fires once, not on every later finding") {
  risk_score r(h, 50);
  CHECK_FALSE(r.add(t0, 30));
  CHECK(r.add(t0 + 1, 30));  // 60 >= 50
  CHECK_FALSE(r.armed());
  CHECK_FALSE(r.add(t0 + 2, 30));
  CHECK_FALSE(r.add(t0 + 3, 30));
  CHECK(r.value() > 100);
}

TEST_CASE("the entity re-arms only once its decayed risk is below the threshold") {
  risk_score r(h, 50);
  r.add(t0, 40);
  CHECK(r.add(t0, 40));  // 80
  // One half-life later the risk is 40 < 50: re-armed; 40 + 20 = 60 fires again.
  CHECK(r.add(t0 + h, 20));
  CHECK(r.value() == 60.0);
  // Still above the threshold a moment later: 60 * 2^(-1/4h) is ~59.99, no re-arm, no alert.
  CHECK_FALSE(r.add(t0 + h + 1000, 40));
  CHECK_FALSE(r.armed());
  // Decay from 100 to 12.5 (3 half-lives): re-armed, and this finding alone does not cross.
  const double before = r.value();
  CHECK_FALSE(r.add(t0 + h + 1000 + 3 * h, 10));
  CHECK(r.armed());
  CHECK(r.value() == Approx(before / 8 + 10).epsilon(1e-12));
  CHECK(r.add(t0 + h + 1000 + 3 * h, 40));
}

TEST_CASE("a late finding cannot re-arm: time did not move") {
  risk_score r(h, 50);
  r.add(t0 + 10 * h, 60);  // fires
  CHECK_FALSE(r.armed());
  CHECK_FALSE(r.add(t0, 60));  // ten half-lives old: adds 60/1024, no re-arm
  CHECK(r.value() == Approx(60 + 60.0 / 1024).epsilon(1e-12));
  CHECK_FALSE(r.armed());
}

TEST_CASE("extreme times and hostile points do not break the score") {
  risk_score r(h, 50);
  constexpr auto lo = std::numeric_limits<std::int64_t>::min();
  constexpr auto hi = std::numeric_limits<std::int64_t>::max();
  r.add(lo, 10);
  r.add(hi, 10);  // everything before decayed to nothing
  CHECK(r.value() == 10.0);
  r.add(lo, 1e9);  // infinitely old: decays to 0
  CHECK(r.value() == 10.0);
  r.add(hi, std::numeric_limits<double>::quiet_NaN());
  r.add(hi, -5);
  r.add(hi, std::numeric_limits<double>::infinity());
  CHECK(r.value() == 10.0);
  risk_score zero(0, 50);  // a zero half-life is clamped, not a division by zero
  zero.add(t0, 10);
  CHECK(zero.value_at(t0 + 1) == 5.0);
}
