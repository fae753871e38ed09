// biDSPOT: the false-alarm rate on i.i.d. data stays near q on both tails, a slow drift does not
// alarm (while plain SPOT does) and a spike on top of it does, the lower tail catches a
// silence, and snapshots round-trip bit-identically (damaged ones are refused).
#include <catch2/catch.hpp>

#include <random>

#include "runtime/detect/bidspot.hpp"
#include "tests/unit/detect/hostile_bytes.hpp"

using namespace seerflow;
using detect::bidspot;
using detect::direction;

namespace {
detect::dspot_settings spot(double q, std::uint32_t depth) {
  detect::dspot_settings s;
  s.n_init = 2000;
  s.q = q;
  s.depth = depth;
  return s;
}
}  // namespace

TEST_CASE("SPOT's false-alarm rate on i.i.d. data stays near q on each tail") {
  const double q = 1e-3;
  for (std::uint32_t depth : {0u, 20u}) {
    bidspot d(spot(q, depth));
    std::mt19937_64 rng(61 + depth);
    std::normal_distribution<double> n(5, 2);
    int up = 0, low = 0, counted = 0;
    for (int i = 0; i < 200000; ++i) {
      const auto r = d.update(n(rng));
      if (!r.calibrated) continue;
      ++counted;
      up += r.dir == direction::upper;
      low += r.dir == direction::lower;
    }
    INFO("depth " << depth << " counted " << counted << " up " << up << " low " << low);
    CHECK(counted > 190000);
    CHECK(up > 0.4 * q * counted);
    CHECK(up < 2.5 * q * counted);
    CHECK(low > 0.4 * q * counted);
    CHECK(low < 2.5 * q * counted);
  }
}

TEST_CASE("a slow drift does not trigger DSPOT, while a spike does") {
  bidspot d(spot(1e-4, 20)), plain(spot(1e-4, 0));
  std::mt19937_64 rng(67);
  std::normal_distribution<double> n(0, 1);
  int drift_alarms = 0, plain_alarms = 0;
  for (int i = 0; i < 30000; ++i) {
    const double x = 0.001 * i + n(rng);  // rises by 30 sd over the run
    drift_alarms += d.update(x).alarm;
    plain_alarms += plain.update(x).alarm;
  }
  CHECK(drift_alarms <= 3);
  CHECK(plain_alarms > 1000);
  const auto spike = d.update(30 + 12);
  CHECK(spike.alarm);
  CHECK(spike.dir == direction::upper);
  CHECK(spike.upper < 42);
  CHECK(spike.upper > 30);  // the threshold moved with the drift
}

TEST_CASE("the lower tail catches a silence") {
  bidspot d(spot(1e-4, 10));
  std::mt19937_64 rng(71);
  std::poisson_distribution<int> p(100);
  for (int i = 0; i < 5000; ++i) CHECK_FALSE(d.update(p(rng)).dir == direction::lower);
  const auto r = d.update(0);
  CHECK(r.alarm);
  CHECK(r.dir == direction::lower);
  CHECK(r.lower > 0);
  CHECK(r.lower < 100);
  // The alarm taught nothing: the next normal value is judged against the same drift.
  CHECK(d.drift() > 90);
}

TEST_CASE("nothing is judged before calibration") {
  bidspot d(spot(1e-4, 10));
  for (int i = 0; i < 2010; ++i) {
    const auto r = d.update(i == 500 ? 1e9 : 1.0 * (i % 7));
    if (i < 2009) {
      CHECK_FALSE(r.calibrated);
      CHECK_FALSE(r.alarm);
    }
  }
  CHECK(d.calibrated());
}

TEST_CASE("a restored biDSPOT judges bit-identically, in every phase") {
  std::mt19937_64 rng(73);
  std::gamma_distribution<double> g(2.0, 3.0);
  for (int cut : {5, 700, 2500, 9000}) {
    detect::dspot_settings s = spot(1e-3, 10);
    s.n_init = 1000;
    bidspot a(s);
    for (int i = 0; i < cut; ++i) a.update(g(rng));
    util::byte_writer w;
    a.snapshot(w);
    bidspot b(s);
    util::byte_reader r(w.buffer());
    REQUIRE(b.restore(r));
    CHECK(r.at_end());
    for (int i = 0; i < 5000; ++i) {
      const double x = g(rng) * (i % 997 == 0 ? 5 : 1);
      const auto ra = a.update(x), rb = b.update(x);
      REQUIRE(ra.calibrated == rb.calibrated);
      REQUIRE(ra.alarm == rb.alarm);
      REQUIRE(ra.upper == rb.upper);
      REQUIRE(ra.lower == rb.lower);
    }
  }
}

TEST_CASE("biDSPOT refuses damaged snapshots and other settings") {
  detect::dspot_settings s = spot(1e-3, 10);
  s.n_init = 200;
  bidspot a(s);
  std::mt19937_64 rng(79);
  std::normal_distribution<double> n(0, 1);
  for (int i = 0; i < 600; ++i) a.update(n(rng));
  util::byte_writer w;
  a.snapshot(w);
  bool prefix = false;
  detect::testing::hostile_inputs(
      w.buffer(), 2,
      [&](const std::string& bytes) {
        bidspot b(s);
        util::byte_reader r(bytes);
        const bool ok = b.restore(r);
        if (ok)
          for (int i = 0; i < 300; ++i) b.update(n(rng));
        return ok;
      },
      prefix);
  CHECK_FALSE(prefix);
  auto other = s;
  other.q = 1e-2;
  bidspot c(other);
  util::byte_reader r(w.buffer());
  CHECK_FALSE(c.restore(r));
}
