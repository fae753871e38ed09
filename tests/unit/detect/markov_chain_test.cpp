// Per-entity Markov chain: a habitual transition is unsurprising, an unseen one from a
// well-known state is highly surprising, state stays bounded, and snapshots round-trip.
#include <catch2/catch.hpp>

#include <random>

#include "runtime/detect/markov_chain.hpp"
#include "tests/unit/detect/hostile_bytes.hpp"

using namespace seerflow;
using detect::markov_chain;

TEST_CASE("surprisal is low for a habitual transition and high for an unseen one") {
  markov_chain m(detect::markov_settings{});
  // login -> query -> logout, over and over.
  for (int i = 0; i < 200; ++i) {
    m.observe(1);
    m.observe(2);
    m.observe(3);
  }
  const auto habitual = m.observe(1);  // 3 -> 1, as always
  CHECK(habitual.warm);
  CHECK(habitual.score < 0.1);
  const auto unseen = m.observe(3);  // 1 -> 3 never happened
  CHECK(unseen.score > 0.7);
  const auto novel = m.observe(99);  // a template this entity never emitted
  CHECK(novel.score > 0.7);
  CHECK(m.probability(2, 3) > 0.9);
  CHECK(m.probability(1, 3) < 0.01);
}

TEST_CASE("a mixed habit scores in between") {
  markov_chain m(detect::markov_settings{});
  std::mt19937_64 rng(31);
  for (int i = 0; i < 1000; ++i) {
    m.observe(1);
    m.observe(rng() % 4 == 0 ? 3 : 2);  // 1 -> 2 three times in four, 1 -> 3 once
  }
  m.observe(1);
  const double common = m.observe(2).score;
  m.observe(1);
  const double rarer = m.observe(3).score;
  CHECK(common < rarer);
  CHECK(rarer < 0.5);
}

TEST_CASE("the first event of an entity is not scored") {
  markov_chain m(detect::markov_settings{});
  const auto r = m.observe(5);
  CHECK_FALSE(r.warm);
  CHECK(r.score == 0);
}

TEST_CASE("Markov state stays bounded") {
  detect::markov_settings s;
  s.max_states = 8;
  s.max_edges_per_state = 3;
  markov_chain m(s);
  std::mt19937_64 rng(33);
  for (int i = 0; i < 10000; ++i) {
    const auto r = m.observe(rng() % 1000);
    REQUIRE(r.score >= 0);
    REQUIRE(r.score <= 1);
  }
  CHECK(m.states() == 8);
}

TEST_CASE("a restored Markov chain scores bit-identically; damaged snapshots are refused") {
  detect::markov_settings s;
  s.max_states = 16;
  s.max_edges_per_state = 4;
  s.count_cap = 64;
  markov_chain a(s);
  std::mt19937_64 rng(35);
  std::geometric_distribution<int> g(0.2);
  for (int i = 0; i < 3000; ++i) a.observe(g(rng));
  util::byte_writer w;
  a.snapshot(w);
  markov_chain b(s);
  util::byte_reader r(w.buffer());
  REQUIRE(b.restore(r));
  CHECK(r.at_end());
  for (int i = 0; i < 3000; ++i) {
    const auto id = static_cast<std::uint64_t>(g(rng));
    const auto ra = a.observe(id), rb = b.observe(id);
    REQUIRE(ra.score == rb.score);
    REQUIRE(ra.warm == rb.warm);
  }
  bool prefix = false;
  detect::testing::hostile_inputs(
      w.buffer(), 2,
      [&](const std::string& bytes) {
        markov_chain c(s);
        util::byte_reader rr(bytes);
        const bool ok = c.restore(rr);
        if (ok)
          for (int i = 0; i < 50; ++i) c.observe(static_cast<std::uint64_t>(i % 20));
        return ok;
      },
      prefix);
  CHECK_FALSE(prefix);
}

TEST_CASE("every one of many states is found again") {
  markov_chain m(detect::markov_settings{});  // 64 states
  // A cycle through 60 templates with ids that share low bits: each step is habitual once
  // learned, which it can only be if every state is looked up correctly.
  for (int lap = 0; lap < 30; ++lap)
    for (std::uint64_t k = 0; k < 60; ++k) m.observe((k << 40) | 7);
  CHECK(m.states() == 60);
  for (std::uint64_t k = 0; k < 60; ++k) CHECK(m.observe((k << 40) | 7).score < 0.2);
}

TEST_CASE("a reset chain is a new chain: same scores, same snapshot") {
  detect::markov_settings s;
  markov_chain used(s), fresh(s);
  for (std::uint64_t i = 0; i < 500; ++i) used.observe(i % 97);
  used.reset();
  CHECK(used.states() == 0);
  CHECK(used.transitions() == 0);
  for (std::uint64_t i = 0; i < 300; ++i) {
    const auto a = used.observe((i * 7) % 13);
    const auto b = fresh.observe((i * 7) % 13);
    REQUIRE(a.score == b.score);
    REQUIRE(a.warm == b.warm);
  }
  seerflow::util::byte_writer wa, wb;
  used.snapshot(wa);
  fresh.snapshot(wb);
  CHECK(wa.take() == wb.take());
}
