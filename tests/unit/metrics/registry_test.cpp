// The metrics registry: one instrument per name and label set, stable addresses, sums over label
// sets, snapshots, reason counters, and exact totals under concurrent adds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "runtime/metrics/registry.hpp"

using namespace seerflow::metrics;

TEST_CASE("same name and labels give the same counter; anything else a different one") {
  registry reg;
  counter& a = reg.get_counter("records_received", {{"receiver", "udp"}});
  counter& b = reg.get_counter("records_received", {{"receiver", "udp"}});
  counter& c = reg.get_counter("records_received", {{"receiver", "tcp"}});
  counter& d = reg.get_counter("records_dropped", {{"receiver", "udp"}});
  counter& e = reg.get_counter("records_received");
  counter& f = reg.get_counter("records_received", {{"receiver", "udp"}, {"reason", "x"}});
  CHECK(&a == &b);
  CHECK(&a != &c);
  CHECK(&a != &d);
  CHECK(&a != &e);
  CHECK(&a != &f);
  CHECK(&e == &reg.get_counter("records_received", {}));
  a.add();
  b.add(4);
  CHECK(a.value() == 5);
  CHECK(c.value() == 0);
  CHECK(e.value() == 0);
}

TEST_CASE("label sets are unordered") {
  registry reg;
  counter& ab = reg.get_counter("x", {{"a", "1"}, {"b", "2"}});
  counter& ba = reg.get_counter("x", {{"b", "2"}, {"a", "1"}});
  CHECK(&ab == &ba);
  gauge& g1 = reg.get_gauge("y", {{"kind", "t"}, {"node", "n1"}});
  gauge& g2 = reg.get_gauge("y", {{"node", "n1"}, {"kind", "t"}});
  CHECK(&g1 == &g2);
  // The first registration's labels are what snapshots show.
  const auto snap = reg.snapshot();
  REQUIRE(snap.size() == 2);
  CHECK(snap[0].tags == labels{{"a", "1"}, {"b", "2"}});
  CHECK(snap[1].tags == labels{{"kind", "t"}, {"node", "n1"}});
}

TEST_CASE("label text cannot make two label sets collide") {
  // Receiver and source names come from configuration and may hold any character.
  registry reg;
  counter& one = reg.get_counter("x", {{"a=b", "c"}});
  counter& two = reg.get_counter("x", {{"a", "b=c"}});
  counter& three = reg.get_counter("x", {{"a",
                                          "b\x1f"
                                          "c=d"}});
  counter& four = reg.get_counter("x", {{"a", "b"}, {"c", "d"}});
  counter& five = reg.get_counter("x", {{"a", "1:b"}});
  counter& six = reg.get_counter("x", {{"a", ""}, {"b", ""}});
  counter& seven = reg.get_counter("x", {{"a", "1:b0:"}});
  const std::vector<counter*> all{&one, &two, &three, &four, &five, &six, &seven};
  for (std::size_t i = 0; i < all.size(); ++i)
    for (std::size_t j = i + 1; j < all.size(); ++j) {
      INFO(i << " vs " << j);
      CHECK(all[i] != all[j]);
    }
  CHECK(reg.snapshot().size() == 7);
}

TEST_CASE("a counter and a gauge may share a name and labels without replacing each other") {
  registry reg;
  counter& c = reg.get_counter("queue", {{"stage", "store"}});
  c.add(3);
  gauge& g = reg.get_gauge("queue", {{"stage", "store"}});
  g.set(-7);
  // Asking again finds the same instruments, with their values.
  CHECK(&reg.get_counter("queue", {{"stage", "store"}}) == &c);
  CHECK(&reg.get_gauge("queue", {{"stage", "store"}}) == &g);
  CHECK(c.value() == 3);
  CHECK(g.value() == -7);
  CHECK(reg.total("queue") == 3);
  const auto snap = reg.snapshot();
  REQUIRE(snap.size() == 2);
  CHECK(snap[0].is_counter);
  CHECK(snap[0].value == 3);
  CHECK_FALSE(snap[1].is_counter);
  CHECK(snap[1].value == -7);
}

TEST_CASE("instrument addresses stay valid while thousands more are created") {
  registry reg;
  counter& first = reg.get_counter("first");
  gauge& first_g = reg.get_gauge("first_gauge");
  first.add(11);
  first_g.set(22);
  std::vector<counter*> seen;
  for (int i = 0; i < 20000; ++i) {
    seen.push_back(&reg.get_counter("c", {{"i", std::to_string(i)}}));
    seen.back()->add(static_cast<std::uint64_t>(i));
    reg.get_gauge("g", {{"i", std::to_string(i)}}).set(i);
  }
  CHECK(&reg.get_counter("first") == &first);
  CHECK(&reg.get_gauge("first_gauge") == &first_g);
  CHECK(first.value() == 11);
  CHECK(first_g.value() == 22);
  std::size_t moved = 0;
  for (int i = 0; i < 20000; ++i)
    if (&reg.get_counter("c", {{"i", std::to_string(i)}}) != seen[i] ||
        seen[i]->value() != static_cast<std::uint64_t>(i))
      ++moved;
  CHECK(moved == 0);
  CHECK(reg.total("c") == 19999ull * 20000 / 2);
  CHECK(reg.snapshot().size() == 2 + 2 * 20000);
}

TEST_CASE("gauges set and add, including below zero") {
  registry reg;
  gauge& g = reg.get_gauge("live");
  CHECK(g.value() == 0);
  g.add(5);
  g.add(-8);
  CHECK(g.value() == -3);
  g.set(100);
  CHECK(g.value() == 100);
  CHECK(&reg.get_gauge("live") == &g);
}

TEST_CASE("total() sums one counter name over every label set, and nothing else") {
  registry reg;
  reg.get_counter("records_dropped", {{"receiver", "udp"}, {"reason", "overload"}}).add(3);
  reg.get_counter("records_dropped", {{"receiver", "tcp"}, {"reason", "oversized"}}).add(4);
  reg.get_counter("records_dropped").add(5);
  reg.get_counter("records_dropped_total").add(100);  // a longer name with the same prefix
  reg.get_counter("records").add(1000);
  reg.get_gauge("records_dropped", {{"receiver", "x"}}).set(10000);  // gauges are not summed
  CHECK(reg.total("records_dropped") == 12);
  CHECK(reg.total("records_dropped_total") == 100);
  CHECK(reg.total("records") == 1000);
  CHECK(reg.total("unknown") == 0);
  CHECK(registry{}.total("records") == 0);
}

TEST_CASE("snapshot() lists every instrument with name, labels, kind and value, sorted by name") {
  registry reg;
  reg.get_gauge("b_gauge", {{"kind", "entity"}}).set(-2);
  reg.get_counter("a_counter", {{"source", "s1"}}).add(7);
  reg.get_counter("a_counter", {{"source", "s0"}}).add(1);
  reg.get_counter("c");
  const auto snap = reg.snapshot();
  REQUIRE(snap.size() == 4);
  CHECK(snap[0].name == "a_counter");
  CHECK(snap[0].tags == labels{{"source", "s0"}});
  CHECK(snap[0].is_counter);
  CHECK(snap[0].value == 1);
  CHECK(snap[1].name == "a_counter");
  CHECK(snap[1].tags == labels{{"source", "s1"}});
  CHECK(snap[1].value == 7);
  CHECK(snap[2].name == "b_gauge");
  CHECK_FALSE(snap[2].is_counter);
  CHECK(snap[2].value == -2);
  CHECK(snap[3].name == "c");
  CHECK(snap[3].tags.empty());
  CHECK(snap[3].value == 0);
  CHECK(registry{}.snapshot().empty());
}

TEST_CASE("reason_counter counts under the base labels plus reason") {
  registry reg;
  reason_counter rc(reg, "records_rejected", {{"receiver", "udp"}});
  rc.add("bad_pri");
  rc.add("bad_pri", 2);
  rc.add("oversized", 5);
  CHECK(reg.get_counter("records_rejected", {{"receiver", "udp"}, {"reason", "bad_pri"}}).value() ==
        3);
  CHECK(
      reg.get_counter("records_rejected", {{"reason", "oversized"}, {"receiver", "udp"}}).value() ==
      5);
  CHECK(reg.total("records_rejected") == 8);
  // A second handle with the same base labels adds to the same counters.
  reason_counter again(reg, "records_rejected", {{"receiver", "udp"}});
  again.add("bad_pri");
  CHECK(reg.get_counter("records_rejected", {{"receiver", "udp"}, {"reason", "bad_pri"}}).value() ==
        4);
  // Other base labels are other counters.
  reason_counter tcp(reg, "records_rejected", {{"receiver", "tcp"}});
  tcp.add("bad_pri", 10);
  CHECK(reg.get_counter("records_rejected", {{"receiver", "udp"}, {"reason", "bad_pri"}}).value() ==
        4);
  CHECK(reg.total("records_rejected") == 19);
  CHECK(reg.snapshot().size() == 3);
}

TEST_CASE("concurrent adds from 4 threads sum exactly") {
  registry reg;
  constexpr int threads = 4;
  constexpr int adds = 100000;
  reason_counter reasons(reg, "rejected", {{"receiver", "r"}});
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      // Each thread looks the instruments up itself, racing the others to create them.
      counter& shared = reg.get_counter("shared", {{"k", "v"}});
      counter& own = reg.get_counter("own", {{"thread", std::to_string(t)}});
      gauge& level = reg.get_gauge("level");
      for (int i = 0; i < adds; ++i) {
        shared.add();
        own.add(2);
        level.add(i % 2 ? 1 : -1);
        if (i % 100 == 0) reasons.add(i % 200 == 0 ? "even" : "odd");
        if (i % 1000 == 0) reg.get_counter("late", {{"n", std::to_string(i % 7)}}).add();
      }
    });
  }
  for (auto& th : pool) th.join();
  CHECK(reg.get_counter("shared", {{"k", "v"}}).value() == threads * adds);
  CHECK(reg.total("own") == 2ull * threads * adds);
  for (int t = 0; t < threads; ++t)
    CHECK(reg.get_counter("own", {{"thread", std::to_string(t)}}).value() == 2ull * adds);
  CHECK(reg.get_gauge("level").value() == 0);
  CHECK(reg.total("rejected") == threads * adds / 100);
  CHECK(reg.get_counter("rejected", {{"receiver", "r"}, {"reason", "even"}}).value() ==
        threads * adds / 200);
  CHECK(reg.total("late") == threads * adds / 1000);
  const auto snap = reg.snapshot();
  CHECK(std::count_if(snap.begin(), snap.end(), [](const sample& s) { return s.name == "own"; }) ==
        threads);
}
