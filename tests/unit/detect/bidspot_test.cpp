// biDSPOT: the false-alarm rate on i.i.d. data stays near q on both tails, a slow drift does not
// alarm (while plain SPOT does) and a spike on top of it does, the lower tail catches a
// silence, and snapshots round-trip bit-identically (damaged ones are refused).
#include <catch2/catch.hpp>

#include <random>
#include <utility>

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

namespace {
// Alarms per tail over 200k i.i.d. draws, as a multiple of q.
template <class Draw>
std::pair<double, double> alarm_rates(double q, std::uint32_t depth, Draw&& draw) {
  bidspot d(spot(q, depth));
  std::mt19937_64 rng(61 + depth);
  int up = 0, low = 0, counted = 0;
  for (int i = 0; i < 200000; ++i) {
    const auto r = d.update(draw(rng));
    if (!r.calibrated) continue;
    ++counted;
    up += r.dir == direction::upper;
    low += r.dir == direction::lower;
  }
  CHECK(counted > 190000);
  return {up / (q * counted), low / (q * counted)};
}
}  // namespace

TEST_CASE("SPOT's false-alarm rate on i.i.d. data stays near q on each tail") {
  const double q = 1e-3;
  for (std::uint32_t depth : {0u, 20u}) {
    // Laplace: exponential tails, where the GPD of the excesses is exact.
    const auto [up, low] = alarm_rates(q, depth, [](std::mt19937_64& rng) {
      std::exponential_distribution<double> e(0.5);
      return (rng() & 1 ? 1 : -1) * e(rng);
    });
    INFO("Laplace, depth " << depth << ": upper " << up << " q, lower " << low << " q");
    CHECK(up > 0.5);
    CHECK(up < 2.0);
    CHECK(low > 0.5);
    CHECK(low < 2.0);
  }
  // Gaussian: the GPD over the 98% quantile is only an approximation of its thin tail (the
  // fitted shape comes out negative), which costs a factor of about two.
  const auto [up, low] = alarm_rates(
      q, 0, [](std::mt19937_64& rng) { return std::normal_distribution<double>(5, 2)(rng); });
  INFO("Gaussian: upper " << up << " q, lower " << low << " q");
  CHECK(up > 0.3);
  CHECK(up < 3.0);
  CHECK(low > 0.3);
  CHECK(low < 3.0);
}

TEST_CASE("a slow drift does not trigger DSPOT, while a spike does") {
  // The same noise with and without a trend: the trend must add no alarms. (The Gaussian tail
  // itself gives a few at 3.7-4 sd: see the false-alarm test.)
  bidspot d(spot(1e-5, 20)), flat(spot(1e-5, 20)), plain(spot(1e-5, 0));
  std::mt19937_64 rng(67);
  std::normal_distribution<double> n(0, 1);
  int drift_alarms = 0, flat_alarms = 0;
  for (int i = 0; i < 30000; ++i) {
    const double e = n(rng);
    const double x = 0.001 * i + e;  // rises by 30 sd over the run
    drift_alarms += d.update(x).alarm;
    flat_alarms += flat.update(e).alarm;
    plain.update(x);
  }
  INFO("DSPOT on the trend " << drift_alarms << " alarms, on the flat noise " << flat_alarms);
  CHECK(drift_alarms <= flat_alarms + 3);
  const auto spike = d.update(30 + 12);
  CHECK(spike.alarm);
  CHECK(spike.dir == direction::upper);
  CHECK(spike.upper < 42);
  CHECK(spike.upper > 30);  // the threshold moved with the drift
  // Without the drift term the trend has fattened the tail until the spike no longer shows.
  CHECK_FALSE(plain.update(30 + 12).alarm);
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

TEST_CASE("a burst of high values under the alarm line does not lift the level") {
  // Regression: the drift learned from every non-alarm value, so a long burst just under the
  // upper threshold lifted the level until ordinary values fell below the lower threshold;
  // alarms never enter the drift, and every later value alarmed "lower" for good.
  bidspot d(spot(1e-3, 50));
  std::mt19937_64 rng(5);
  std::normal_distribution<double> n(0, 1);
  for (int i = 0; i < 5000; ++i) d.update(n(rng));
  REQUIRE(d.calibrated());
  const double level = d.drift();
  // Past the initial threshold (the 98% quantile, ~2.05 sd), under the alarm line (~3.1 sd).
  const double t = level + 0.9 * (d.upper_threshold() - level);
  for (int i = 0; i < 600; ++i) d.update(t + 0.01 * n(rng));
  CHECK(std::abs(d.drift() - level) < 0.5);
  int lower = 0;
  for (int i = 0; i < 2000; ++i) lower += d.update(n(rng)).dir == direction::lower;
  CHECK(lower < 20);
}

TEST_CASE("an upper-only SPOT never alarms low, and a flat start keeps its level") {
  bidspot d(spot(1e-3, 50), true);
  std::mt19937_64 rng(9);
  std::exponential_distribution<double> e(1.0);
  int low = 0, up = 0;
  for (int i = 0; i < 20000; ++i) {
    // Magnitudes: mostly small, zero a third of the time.
    const double x = i % 3 == 0 ? 0.0 : e(rng);
    const auto r = d.update(x);
    low += r.dir == direction::lower;
    up += r.dir == direction::upper;
  }
  CHECK(low == 0);
  CHECK(up < 100);
  CHECK(d.update(40.0).dir == direction::upper);
  // Its snapshot says it is one-sided: a two-sided one refuses it.
  util::byte_writer w;
  d.snapshot(w);
  bidspot two(spot(1e-3, 50));
  util::byte_reader r(w.buffer());
  CHECK_FALSE(two.restore(r));
}

namespace {
// 5,000 Exp(1) values: calibrated, with an initial threshold near 3.9 and an alarm line near
// 6.9 at q = 1e-3.
void warm_exponential(bidspot& d, std::mt19937_64& rng) {
  std::exponential_distribution<double> e(1.0);
  for (int i = 0; i < 5000; ++i) d.update(e(rng));
  REQUIRE(d.calibrated());
}
}  // namespace

TEST_CASE("a burst of alarms does not ratchet the threshold up") {
  // Regression: each alarm of a burst entered the fit capped at twice the threshold's excess,
  // so the threshold rose with every alarm and the next anomaly stayed under it (measured on
  // Loghub: 7 before one volume spike, 43 after it).
  bidspot d(spot(1e-3, 50), true);
  std::mt19937_64 rng(13);
  std::exponential_distribution<double> e(1.0);
  warm_exponential(d, rng);
  const double before = d.upper_threshold();
  int alarms = 0;
  for (int i = 0; i < 600; ++i) alarms += d.update(before + 20 + e(rng)).alarm;
  // One-sided with a drift term, the burst alarms until it has lasted a run of 64 and the
  // drift (50 values) has caught up with it: a burst is one episode, then its level.
  CHECK(alarms >= 64);
  CHECK(alarms < 200);
  for (int i = 0; i < 500; ++i) d.update(e(rng));
  INFO("threshold before the burst " << before << ", after " << d.upper_threshold());
  CHECK(d.upper_threshold() < 1.3 * before);
  CHECK(d.update(before + 1.0).alarm);
}

TEST_CASE("a burst climbing a little at every value reaches the alarm line") {
  // Runs declustering: the values of one run over the initial threshold enter the fit as one
  // peak when the run ends, so the alarm line holds still while a burst's score grows with
  // every event (a bucket filling) and the burst reaches it.
  // Plain SPOT (no drift term: with one, a slow climb is a drift and followed on purpose).
  bidspot d(spot(1e-3, 0), true);
  std::mt19937_64 rng(17);
  warm_exponential(d, rng);
  const double before = d.upper_threshold();
  // From the initial threshold (~3.9) up by 0.05 a value: past the alarm line (~6.9) within
  // about 60 values, unless the line keeps moving up ahead of them.
  int first = -1;
  for (int i = 0; i < 1000 && first < 0; ++i)
    if (d.update(4.0 + 0.05 * i).alarm) first = i;
  INFO("threshold before " << before << ", at the end " << d.upper_threshold());
  CHECK(first >= 0);
  CHECK(first < 70);
}

TEST_CASE("a lasting shift above the initial threshold still reaches the fit") {
  // Without a drift term, values that stay over t form one endless run; cut every few dozen
  // values, the run still feeds the fit and the threshold rises to the new level.
  bidspot d(spot(1e-3, 0), true);
  std::mt19937_64 rng(19);
  std::normal_distribution<double> n(0, 1);
  for (int i = 0; i < 5000; ++i) d.update(n(rng));
  int late = 0;
  for (int i = 0; i < 40000; ++i) {
    const bool alarm = d.update(6 + n(rng)).alarm;
    if (i >= 30000) late += alarm;
  }
  CHECK(late < 100);
}
