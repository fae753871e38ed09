// The source detector: a new template scores above habitual ones on the content channel, a
// silence shows on the volume channel, a level shift on the change channel, and a restored
// detector scores the next events bit-identically.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "runtime/detect/source_detector.hpp"
#include "tests/unit/detect/hostile_bytes.hpp"

using namespace seerflow;
using detect::event_features;
using detect::source_detector;

namespace {
constexpr std::int64_t minute = 60'000'000'000;
const std::int64_t t0 = 28'333'333LL * minute;

detect::settings small() {
  detect::settings s;
  s.content.window = 500;
  return s;
}

// ~200 Zipf-distributed templates whose features are fixed per template, 100 events a minute.
struct workload {
  std::mt19937_64 rng{91};
  std::vector<double> cdf;
  std::int64_t t = t0;
  workload() {
    double sum = 0;
    for (int k = 1; k <= 200; ++k) cdf.push_back(sum += 1.0 / k);
    for (auto& c : cdf) c /= sum;
  }
  event_features next(std::int64_t step = minute / 100) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    const auto k =
        static_cast<std::uint64_t>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
    t += step;
    return event_features{t,
                          1000 + k,
                          static_cast<std::uint32_t>(k % 3),
                          static_cast<std::uint32_t>(9 + (k % 4 == 0) * 4),
                          static_cast<std::uint32_t>(k % 5),
                          static_cast<std::uint32_t>(60 + (k * 7) % 90)};
  }
};
}  // namespace

TEST_CASE("a new template scores higher on content than habitual ones") {
  source_detector d(small());
  workload w;
  for (int i = 0; i < 20000; ++i) d.observe(w.next());
  double habitual = 0;
  for (int i = 0; i < 200; ++i) habitual += d.observe(w.next()).content.value / 200;
  auto e = w.next();
  e.template_id = 0xDEADBEEF;
  e.severity = 21;
  e.message_length = 400;
  const auto r = d.observe(e);
  CHECK(r.content.warm);
  CHECK(r.content.value > habitual + 0.15);
}

TEST_CASE("a silent source shows on the volume channel") {
  source_detector d(small());
  workload w;
  for (int i = 0; i < 6000; ++i) d.observe(w.next());  // an hour at 100 a minute
  const auto r = d.advance(w.t + 15 * minute);
  CHECK(r.volume.warm);
  CHECK(r.volume.value < -5);
  CHECK_FALSE(r.content.present);
}

TEST_CASE("a level shift raises the change channel") {
  source_detector d(small());
  workload w;
  for (int i = 0; i < 6000; ++i) d.observe(w.next());
  bool alarm = false;
  for (int i = 0; i < 3000 && !alarm; ++i) {
    const auto r = d.observe(w.next(minute / 200));  // twice the rate
    alarm = r.change_alarm;
    if (alarm) {
      CHECK(r.change_direction == 1);
      CHECK(r.change.value >= 1.0);
    }
  }
  CHECK(alarm);
}

TEST_CASE("a restored source detector scores bit-identically") {
  source_detector a(small());
  workload w;
  for (int i = 0; i < 7777; ++i) a.observe(w.next());
  const std::string bytes = a.snapshot();
  source_detector b(small());
  REQUIRE(b.restore(bytes));
  CHECK(b.snapshot() == bytes);
  for (int i = 0; i < 5000; ++i) {
    auto e = w.next(i % 1000 == 0 ? 3 * minute : minute / 100);
    const auto ra = a.observe(e), rb = b.observe(e);
    REQUIRE(ra.content.value == rb.content.value);
    REQUIRE(ra.volume.value == rb.volume.value);
    REQUIRE(ra.change.value == rb.change.value);
    REQUIRE(ra.change_alarm == rb.change_alarm);
  }
}

TEST_CASE("a source detector refuses damaged snapshots") {
  detect::settings s = small();
  s.content.trees = 3;
  s.content.height = 6;
  s.volume.season_buckets = 30;
  source_detector a(s);
  workload w;
  for (int i = 0; i < 3000; ++i) a.observe(w.next());
  const std::string good = a.snapshot();
  bool prefix = false;
  detect::testing::hostile_inputs(
      good, 2,
      [&](const std::string& bytes) {
        source_detector b(s);
        const bool ok = b.restore(bytes);
        if (ok)
          for (int i = 0; i < 100; ++i) b.observe(w.next());
        return ok;
      },
      prefix);
  CHECK_FALSE(prefix);
  source_detector other(small());
  CHECK_FALSE(other.restore(good));
}

TEST_CASE("the change channel speaks only on events that close a bucket") {
  source_detector d(small());
  workload w;
  int closing = 0, carried = 0;
  for (int i = 0; i < 6000; ++i) {
    const auto r = d.observe(w.next());
    if (r.change.present) ++closing;
    if (i > 0 && !r.change.present) ++carried;
  }
  // 100 events a minute: one in a hundred closes a bucket.
  CHECK(closing > 50);
  CHECK(closing < 70);
  CHECK(carried > 5000);
}

TEST_CASE("new templates in a burst weigh less than a lone one") {
  detect::hst_settings hs;
  detect::content_features f(hs);
  event_features e;
  for (int i = 0; i < 3000; ++i) {
    e.template_id = 1 + i % 20;
    f.encode(e);
  }
  e.template_id = 7;  // seen about 150 times
  f.encode(e);
  const double common = f.novelty();
  e.template_id = 500;
  f.encode(e);
  // The first new one after a quiet stretch: 6 bits above a template seen once (see fresh_floor).
  const double lone = f.novelty();
  CHECK(lone > 1.3);
  CHECK(lone < 1.6);
  CHECK(common < 0.5);
  e.template_id = 500;  // now seen once
  f.encode(e);
  CHECK(f.novelty() < lone - 0.4);
  double tenth = 0;
  for (int k = 1; k < 10; ++k) {
    e.template_id = 500 + k;  // a reboot: one new template after another
    f.encode(e);
    tenth = f.novelty();
  }
  CHECK(tenth < 0.75);
  // Quiet again for a while: the next new one is news again.
  for (int i = 0; i < 300; ++i) {
    e.template_id = 1 + i % 20;
    f.encode(e);
  }
  e.template_id = 999;
  f.encode(e);
  CHECK(f.novelty() > 1.3);
  // The rate survives a snapshot.
  util::byte_writer w;
  f.snapshot(w);
  detect::content_features g(hs);
  util::byte_reader r(w.buffer());
  REQUIRE(g.restore(r));
  e.template_id = 1000;
  f.encode(e);
  g.encode(e);
  CHECK(f.novelty() == g.novelty());
}
