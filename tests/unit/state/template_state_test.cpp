// A template actor's state: text and its changes, counts, the one-minute ring behind the rate,
// bounded examples and absorbed ids, and snapshots that survive passivation (and hostile bytes).
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/state/template_state.hpp"
#include "runtime/util/byte_codec.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/utf8.hpp"

using namespace seerflow;
using seerflow::state::template_state;

namespace {

constexpr std::int64_t sec = 1'000'000'000;
constexpr std::int64_t minute = 60 * sec;
const std::int64_t t0 = util::to_unix_ns(2025, 3, 1, 12, 0, 0);  // a whole minute

model::template_delivery delivery(std::string text, std::vector<std::int64_t> times,
                                  std::string example = "",
                                  std::vector<std::uint64_t> absorbed = {}) {
  model::template_delivery d;
  d.template_id = 0xABCDEF;
  d.source = "auth";
  d.text = std::move(text);
  d.times = std::move(times);
  d.example = std::move(example);
  d.absorbed = std::move(absorbed);
  return d;
}

// `n` events spread over one minute starting at `start`.
std::vector<std::int64_t> in_minute(std::int64_t start, int n) {
  std::vector<std::int64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(start + i * (minute / n));
  return out;
}

// A snapshot written field by field, as template_state::snapshot() lays it out: two events
// (`count` of them in the first minute's bucket), text "t", source "auth", no examples or ids.
std::string handmade(std::int64_t first, std::int64_t last, std::int64_t head,
                     std::uint64_t count = 2) {
  util::byte_writer w;
  w.u8(1);
  w.varint(5);
  w.str("t");
  w.str("auth");
  w.varint(count);
  w.varint(0);
  w.svarint(first);
  w.svarint(last);
  w.svarint(head);
  const auto first_slot = static_cast<std::size_t>(((first / minute) % 60 + 60) % 60);
  const auto last_slot = static_cast<std::size_t>(((last / minute) % 60 + 60) % 60);
  for (std::size_t i = 0; i < 60; ++i)
    w.varint(count == 0 ? 0 : (i == first_slot) + (i == last_slot));
  w.varint(0);
  w.varint(0);
  return w.take();
}

void require_same(const template_state& a, const template_state& b) {
  CHECK(a.id() == b.id());
  CHECK(a.text() == b.text());
  CHECK(a.source() == b.source());
  CHECK(a.event_count() == b.event_count());
  CHECK(a.text_changes() == b.text_changes());
  CHECK(a.first_seen_ns() == b.first_seen_ns());
  CHECK(a.last_seen_ns() == b.last_seen_ns());
  CHECK(a.rate_per_minute() == b.rate_per_minute());
  CHECK(a.examples() == b.examples());
  CHECK(a.absorbed() == b.absorbed());
  CHECK(a.inspect_json() == b.inspect_json());
  CHECK(a.snapshot() == b.snapshot());
}

}  // namespace

TEST_CASE("a fresh template state") {
  template_state s(42);
  CHECK(s.id() == 42);
  CHECK(s.event_count() == 0);
  CHECK(s.text().empty());
  CHECK(s.rate_per_minute() == 0.0);
  CHECK(s.inspect_json() ==
        R"({"template_id":"000000000000002a","source":"","template":"","events":0,)"
        R"("text_changes":0,"first_seen":"","last_seen":"","rate_per_minute":0.0,)"
        R"("examples":[],"absorbed":[]})");
}

TEST_CASE("observe takes text and source, counts events, first and last seen") {
  template_state s(1);
  s.observe(delivery("Accepted password for <*>", {t0 + 5 * sec, t0 + 2 * sec}));
  CHECK(s.text() == "Accepted password for <*>");
  CHECK(s.source() == "auth");
  CHECK(s.event_count() == 2);
  CHECK(s.first_seen_ns() == t0 + 2 * sec);
  CHECK(s.last_seen_ns() == t0 + 5 * sec);
  CHECK(s.text_changes() == 0);
  auto later = delivery("Accepted password for <*>", {t0 + 90 * sec});
  later.source = "other";  // the first source stays
  s.observe(later);
  CHECK(s.source() == "auth");
  CHECK(s.event_count() == 3);
  CHECK(s.last_seen_ns() == t0 + 90 * sec);
}

TEST_CASE("text changes are counted; the first text and repeats are not changes") {
  template_state s(1);
  s.observe(delivery("a b c", {t0}));
  CHECK(s.text_changes() == 0);
  s.observe(delivery("a b c", {t0}));
  CHECK(s.text_changes() == 0);
  s.observe(delivery("a <*> c", {t0}));
  CHECK(s.text_changes() == 1);
  CHECK(s.text() == "a <*> c");
  s.observe(delivery("", {t0}));  // no text in this delivery: keep ours
  CHECK(s.text() == "a <*> c");
  CHECK(s.text_changes() == 1);
  s.observe(delivery("<*> <*> c", {}));
  CHECK(s.text_changes() == 2);
  CHECK(s.event_count() == 4);
}

TEST_CASE("rate_per_minute over the minutes covered so far") {
  template_state s(1);
  s.observe(delivery("x", in_minute(t0, 10)));
  CHECK(s.rate_per_minute() == 10.0);
  s.observe(delivery("x", in_minute(t0 + minute, 20)));
  s.observe(delivery("x", in_minute(t0 + 2 * minute, 30)));
  CHECK(s.rate_per_minute() == 20.0);  // 60 events over 3 minutes
  // A quiet minute counts as zero.
  s.observe(delivery("x", in_minute(t0 + 4 * minute, 15)));
  CHECK(s.rate_per_minute() == 15.0);  // 75 over 5
  // Late data within the hour lands in its own minute.
  s.observe(delivery("x", {t0 + 3 * minute + sec}));
  CHECK(s.rate_per_minute() == 76.0 / 5);
}

TEST_CASE("rate_per_minute covers at most the last hour") {
  template_state s(1);
  s.observe(delivery("x", in_minute(t0, 6)));
  s.observe(delivery("x", {t0 + 59 * minute}));
  CHECK(s.rate_per_minute() == 7.0 / 60);  // minutes 0..59: all in the ring
  s.observe(delivery("x", {t0 + 60 * minute}));
  CHECK(s.rate_per_minute() == 2.0 / 60);  // minute 0 fell out as minute 60 took its slot
  s.observe(delivery("x", {t0 + 119 * minute + 30 * sec}));
  CHECK(s.rate_per_minute() == 2.0 / 60);  // minutes 60 and 119 remain
  CHECK(s.event_count() == 9);
}

TEST_CASE("ring buckets across gaps longer than an hour") {
  template_state s(1);
  s.observe(delivery("x", in_minute(t0, 50)));
  s.observe(delivery("x", in_minute(t0 + 30 * minute, 50)));
  // Three hours of silence: every old bucket is cleared, whatever its slot.
  s.observe(delivery("x", in_minute(t0 + 210 * minute, 3)));
  CHECK(s.rate_per_minute() == 3.0 / 60);
  // Exactly a full ring later: the same slot, and it must not keep the old count.
  s.observe(delivery("x", {t0 + 270 * minute}));
  CHECK(s.rate_per_minute() == 1.0 / 60);
  // Much more than an hour late: counted, not in the rate.
  s.observe(delivery("x", {t0 + 5 * minute}));
  CHECK(s.rate_per_minute() == 1.0 / 60);
  CHECK(s.event_count() == 105);
  CHECK(s.first_seen_ns() == t0);
}

TEST_CASE("minutes before 1970 are whole minutes too") {
  template_state s(1);
  s.observe(delivery("x", {-1, 0}));    // 1969-12-31T23:59:59.999999999 and the epoch
  CHECK(s.rate_per_minute() == 1.0);    // two minutes, one event each
  s.observe(delivery("x", {-minute}));  // the same minute as -1
  CHECK(s.rate_per_minute() == 1.5);
  s.observe(delivery("x", {-minute - 1}));  // the minute before: three minutes now
  CHECK(s.rate_per_minute() == 4.0 / 3);
}

TEST_CASE("examples: the last three, each at most 512 bytes, cut on a character boundary") {
  template_state s(1);
  for (int i = 1; i <= 5; ++i) s.observe(delivery("x", {t0}, "example " + std::to_string(i)));
  s.observe(delivery("x", {t0}));  // no example in this delivery
  CHECK(s.examples() == std::deque<std::string>{"example 3", "example 4", "example 5"});
  s.observe(delivery("x", {t0}, std::string(600, 'a')));
  CHECK(s.examples().back() == std::string(512, 'a'));
  // A two-byte character straddling byte 512 is left out entirely.
  s.observe(delivery("x", {t0}, std::string(511, 'b') + "\xC3\xA9" + "tail"));
  CHECK(s.examples().back() == std::string(511, 'b'));
  s.observe(delivery("x", {t0}, std::string(510, 'c') + "\xC3\xA9" + "tail"));
  CHECK(s.examples().back() == std::string(510, 'c') + "\xC3\xA9");
  s.observe(delivery("x", {t0}, std::string(510, 'd') + "\xF0\x9F\x9A\x80"));
  CHECK(s.examples().back() == std::string(510, 'd'));
  CHECK(s.examples().size() == 3);
  const std::string j = s.inspect_json();
  CHECK(util::is_valid_utf8(j));
  CHECK(nlohmann::json::parse(j)["examples"].size() == 3);
}

TEST_CASE("absorbed ids: the most recent 32") {
  template_state s(1);
  std::vector<std::uint64_t> ids;
  for (std::uint64_t i = 1; i <= 40; ++i) ids.push_back(i * 1000);
  s.observe(delivery("x", {t0}, "", {ids.begin(), ids.begin() + 10}));
  CHECK(s.absorbed().size() == 10);
  s.observe(delivery("x", {t0}, "", {ids.begin() + 10, ids.end()}));
  REQUIRE(s.absorbed().size() == template_state::max_absorbed);
  CHECK(s.absorbed().front() == 9000);
  CHECK(s.absorbed().back() == 40000);
  auto r = template_state::restore(s.snapshot());
  REQUIRE(r);
  CHECK(r->absorbed() == s.absorbed());
}

TEST_CASE("inspect_json: exact view") {
  template_state s(0x1234);
  s.observe(
      delivery("Failed password for <*>", in_minute(t0, 4), "Failed password for root", {0xFF}));
  s.observe(delivery("Failed password for <*> from <*>", {t0 + minute + 500'000'000}));
  CHECK(s.inspect_json() ==
        R"({"template_id":"0000000000001234","source":"auth",)"
        R"("template":"Failed password for <*> from <*>","events":5,"text_changes":1,)"
        R"("first_seen":"2025-03-01T12:00:00Z","last_seen":"2025-03-01T12:01:00.5Z",)"
        R"("rate_per_minute":2.5,"examples":["Failed password for root"],)"
        R"("absorbed":["00000000000000ff"]})");
}

TEST_CASE("snapshot then restore gives an equal state that goes on identically") {
  template_state s(0xFEEDFACECAFEBEEFull);
  std::mt19937_64 rng(11);
  for (int b = 0; b < 40; ++b) {
    std::vector<std::int64_t> times;
    for (int i = 0; i < 5; ++i)
      times.push_back(t0 + b * 7 * minute / 3 - static_cast<std::int64_t>(rng() % (90 * minute)));
    s.observe(delivery(b % 10 == 0 ? "text " + std::to_string(b) : "", times,
                       "example \xE2\x82\xAC " + std::to_string(b), {rng()}));
  }
  auto r = template_state::restore(s.snapshot());
  REQUIRE(r);
  require_same(s, *r);
  for (int b = 40; b < 60; ++b) {
    const auto d = delivery("text", {t0 + b * 2 * minute}, "more", {static_cast<std::uint64_t>(b)});
    s.observe(d);
    r->observe(d);
  }
  require_same(s, *r);

  template_state empty(9);
  auto e = template_state::restore(empty.snapshot());
  REQUIRE(e);
  require_same(empty, *e);
}

TEST_CASE("restore refuses bad versions, too many examples or ids, truncations, trailing bytes") {
  template_state s(5);
  s.observe(delivery("t", {t0}, "ex", {1, 2}));
  const std::string snap = s.snapshot();
  REQUIRE(template_state::restore(snap));
  std::string v = snap;
  v[0] = 9;
  CHECK_FALSE(template_state::restore(v));
  CHECK_FALSE(template_state::restore(snap + "x"));
  CHECK_FALSE(template_state::restore(""));
  for (std::size_t n = 0; n < snap.size(); ++n) {
    INFO("truncated to " << n);
    CHECK_FALSE(template_state::restore(snap.substr(0, n)));
  }
  // Hand-made snapshots with counts above the bounds.
  template_state many(5);
  for (int i = 0; i < 3; ++i) many.observe(delivery("t", {t0}, "e"));
  std::string bytes = many.snapshot();
  // The examples count sits right after the 60 buckets; find it by re-encoding with one more.
  const std::string three = std::string(
      "\x03\x01"
      "e\x01"
      "e\x01"
      "e",
      7);
  const auto at = bytes.rfind(three);
  REQUIRE(at != std::string::npos);
  bytes[at] = '\x04';
  bytes.insert(at + 7,
               "\x01"
               "e");
  CHECK_FALSE(template_state::restore(bytes));
}

TEST_CASE("restore refuses states whose clock fields contradict each other") {
  // The head minute, first and last seen come from the same events; a snapshot where they
  // disagree is corrupt, and trusting it would overflow the ring arithmetic later.
  const std::int64_t head = t0 / minute + 3;
  CHECK(template_state::restore(handmade(t0, t0 + 3 * minute, head)));
  CHECK(template_state::restore(handmade(t0, t0 + 3 * minute + 59 * sec, head)));
  CHECK_FALSE(template_state::restore(handmade(t0, t0 + 3 * minute, head + 1)));
  CHECK_FALSE(template_state::restore(handmade(t0, t0 + 3 * minute, head - 1)));
  CHECK_FALSE(template_state::restore(
      handmade(t0, t0 + 3 * minute, std::numeric_limits<std::int64_t>::min())));
  CHECK_FALSE(template_state::restore(handmade(t0 + 4 * minute, t0 + 3 * minute, head)));
  // Nothing seen: the clock fields are not used.
  CHECK(template_state::restore(handmade(5, -5, 12345, 0)));
  // The same layout as snapshot() writes.
  template_state s(5);
  s.observe(delivery("t", {t0, t0 + 3 * minute}));
  CHECK(s.snapshot() == handmade(t0, t0 + 3 * minute, head));
}

TEST_CASE("randomized: corrupted snapshots restore to nothing or to a usable state") {
  template_state s(77);
  for (int b = 0; b < 30; ++b)
    s.observe(delivery(b % 3 ? "t <*>" : "t x", {t0 + b * minute / 2, t0 + b * minute},
                       "ex\xC3\xA9 " + std::to_string(b), {static_cast<std::uint64_t>(b)}));
  const std::string snap = s.snapshot();
  std::mt19937_64 rng(424242);
  std::size_t restored = 0, refused = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string bad = snap;
    switch (rng() % 5) {
      case 0:
        bad.resize(rng() % bad.size());
        break;
      case 1:
        for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k)
          bad[rng() % bad.size()] = static_cast<char>(rng());
        break;
      case 2:
        bad.insert(rng() % bad.size(), 1, static_cast<char>(rng()));
        break;
      case 3:
        bad.erase(rng() % bad.size(), 1 + rng() % 8);
        break;
      default: {
        const std::size_t at = 1 + rng() % (bad.size() - 1);
        for (std::size_t k = at; k < std::min(bad.size(), at + 9); ++k) bad[k] = '\xFF';
      }
    }
    auto r = template_state::restore(bad);
    if (!r) {
      ++refused;
      continue;
    }
    ++restored;
    const std::string j = r->inspect_json();
    REQUIRE(util::is_valid_utf8(j));
    REQUIRE_FALSE(nlohmann::json::parse(j).is_discarded());
    const double rate = r->rate_per_minute();
    REQUIRE(rate >= 0.0);
    r->observe(delivery(
        "new",
        {t0, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()},
        "e", {1}));
    REQUIRE(r->rate_per_minute() >= 0.0);
    auto again = template_state::restore(r->snapshot());
    REQUIRE(again);
    REQUIRE(again->snapshot() == r->snapshot());
  }
  CHECK(restored > 0);
  CHECK(refused > 0);
}

TEST_CASE("extreme event times never overflow the ring arithmetic") {
  template_state s(1);
  const auto lo = std::numeric_limits<std::int64_t>::min();
  const auto hi = std::numeric_limits<std::int64_t>::max();
  s.observe(delivery("x", {lo}));
  CHECK(s.rate_per_minute() == 1.0);
  s.observe(delivery("x", {hi, lo, 0}));
  CHECK(s.event_count() == 4);
  CHECK(s.first_seen_ns() == lo);
  CHECK(s.last_seen_ns() == hi);
  CHECK(s.rate_per_minute() == 1.0 / 60);
  auto r = template_state::restore(s.snapshot());
  REQUIRE(r);
  require_same(s, *r);
}
