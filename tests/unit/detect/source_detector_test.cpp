// The source detector: a new template scores above habitual ones on the content channel, a
// silence shows on the volume channel, a level shift on the change channel, and a restored
// detector scores the next events bit-identically.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

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

namespace {
// A stream of 20 templates, each first written with its own sshd-like message.
detect::content_features trained(const detect::hst_settings& hs) {
  detect::content_features f(hs);
  const char* phrases[] = {
      "Accepted password for admin from port",    "Failed password for invalid user from port",
      "Connection closed by authenticating user", "pam_unix session opened for user by",
      "Received disconnect from preauth",         "Invalid user from port"};
  std::vector<std::string> messages;
  event_features e;
  for (int i = 0; i < 3000; ++i) {
    e.template_id = 1 + i % 20;
    const std::string m = std::string(phrases[i % 20 % 6]) + " 10.0.0." + std::to_string(i % 20);
    e.message = m;
    f.encode(e);
  }
  return f;
}
}  // namespace

TEST_CASE("a new template in the source's own words weighs less than one in words it never wrote") {
  detect::hst_settings hs;
  auto known = trained(hs);
  auto strange = known;
  const std::size_t words = known.vocabulary();
  CHECK(words >= 15);
  CHECK(words <= 25);
  event_features e;
  e.template_id = 500;
  const std::string variation = "Failed password for admin from port 22";
  e.message = variation;
  known.encode(e);
  CHECK(known.lexical_novelty() == 0.0);
  const std::string news = "kernel BUG at mm/slub.c:3865! invalid opcode: 0000 [#1] SMP PTI";
  e.message = news;
  strange.encode(e);
  // kernel, bug, slub, opcode, smp, pti new; invalid known ("Invalid user"); mm, at too short.
  CHECK(strange.lexical_novelty() == Approx(6.0 / 7.0));
  CHECK(strange.novelty() > 2.5 * known.novelty());
  CHECK(strange.novelty() > 1.5);
  CHECK(known.novelty() < 0.5);
  CHECK(strange.vocabulary() == words + 6);
  // Only first sightings are read: a known template's message teaches nothing.
  e.template_id = 3;
  const std::string other = "completely different wording here";
  e.message = other;
  known.encode(e);
  CHECK(known.lexical_novelty() == -1.0);
  CHECK(known.vocabulary() == words);
  // A message without words leaves the novelty as it is.
  e.template_id = 501;
  const std::string digits = "12 34 5.6.7.8 0x1f ab";
  e.message = digits;
  known.encode(e);
  CHECK(known.lexical_novelty() == -1.0);
}

TEST_CASE("the vocabulary survives a snapshot and stays bounded on hostile messages") {
  detect::hst_settings hs;
  auto f = trained(hs);
  util::byte_writer w;
  f.snapshot(w);
  detect::content_features g(hs);
  util::byte_reader r(w.buffer());
  REQUIRE(g.restore(r));
  CHECK(g.vocabulary() == f.vocabulary());
  event_features e;
  e.template_id = 777;
  const std::string m = "Accepted publickey for deploy";
  e.message = m;
  f.encode(e);
  g.encode(e);
  CHECK(f.novelty() == g.novelty());
  CHECK(f.lexical_novelty() == g.lexical_novelty());
  // Binary, huge, and ever-new words: never more than max_vocabulary words.
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary.push_back(static_cast<char>(i * 37));
  const std::string hostile[] = {std::string(),
                                 std::string(3, '\0'),
                                 binary,
                                 std::string(1 << 20, 'a'),
                                 "\xC3\xA9t\xC3\xA9 \xE2\x80\x8B\xFF\xFE",
                                 binary.substr(0, 7)};
  for (const auto& bytes : hostile) {
    e.template_id += 1;
    e.message = bytes;
    f.encode(e);
    CHECK(std::isfinite(f.novelty()));
    CHECK(f.lexical_novelty() <= 1.0);
  }
  std::string flood;
  for (std::uint32_t i = 0; i < 70000; ++i) {
    std::uint32_t n = i;
    std::string word = "w";
    for (int k = 0; k < 4; ++k, n /= 26) word += static_cast<char>('a' + n % 26);
    flood += word + ' ';
  }
  e.template_id += 1;
  e.message = flood;
  f.encode(e);
  CHECK(f.vocabulary() == detect::content_features::max_vocabulary);
  CHECK(f.lexical_novelty() == 1.0);
  // A damaged vocabulary is refused: a duplicate word.
  util::byte_writer w2;
  g.snapshot(w2);
  std::string bytes = w2.take();
  REQUIRE(bytes.size() > 16);
  std::memcpy(bytes.data() + bytes.size() - 8, bytes.data() + bytes.size() - 16, 8);
  detect::content_features h(hs);
  util::byte_reader r2(bytes);
  CHECK_FALSE(h.restore(r2));
}
