#include <catch2/catch.hpp>
#include <random>

#include "runtime/graph/entity_graph.hpp"
#include "runtime/graph/graph_view.hpp"
#include "tests/unit/graph/graph_fixtures.hpp"

using namespace seerflow;
using namespace seerflow::graph;
using graph::test::ent;
using graph::test::obs;
using T = model::entity_type;
using E = model::edge_type;

TEST_CASE("entity graph: observations fold into one edge per (from, to, type)") {
  entity_graph g;
  const auto alice = ent(T::user, "alice"), ip = ent(T::ip, "203.0.113.9"),
             web = ent(T::host, "web-prod-01");
  g.observe(obs(alice, ip, E::authenticated_from, 200, 2));
  g.observe(obs(alice, ip, E::authenticated_from, 100));
  g.observe(obs(alice, web, E::logged_into, 300));
  g.observe(obs(alice, ip, E::accessed, 50));  // another type: another edge
  CHECK(g.node_count() == 3);
  CHECK(g.edge_count() == 3);
  const auto a = *g.find(model::entity_key(alice.id));
  const auto i = *g.find("203.0.113.9");
  CHECK(g.node(a).first_ns == 50);
  CHECK(g.node(a).last_ns == 300);
  bool found = false;
  for (auto e : g.node(a).edges) {
    const auto& ed = g.edge(e);
    if (ed.to == i && ed.type == E::authenticated_from) {
      found = true;
      CHECK(ed.count == 3);
      CHECK(ed.first_ns == 100);
      CHECK(ed.last_ns == 200);
    }
  }
  CHECK(found);
  CHECK(g.fan_out(a) == 2);  // ip (two types) and web
  CHECK(g.fan_in(i) == 1);
  CHECK(g.fan_in(a) == 0);
  CHECK(g.newest_ns() == 300);
  // An entity related to itself is no relation.
  g.observe(obs(alice, alice, E::accessed, 400));
  CHECK(g.edge_count() == 3);
}

TEST_CASE("entity graph: past max_nodes the least recently seen nodes go, with their edges") {
  entity_graph g({10, 1000});
  const auto hub = ent(T::host, "hub");
  for (int i = 0; i < 30; ++i)
    g.observe(obs(ent(T::user, "u" + std::to_string(i)), hub, E::logged_into, 1000 + i));
  CHECK(g.node_count() <= 10);
  CHECK(g.counters().evicted_nodes >= 21);
  CHECK(g.find("hub"));  // seen last in every observation
  CHECK(g.find("u29"));
  CHECK_FALSE(g.find("u0"));
  // Edges went with their nodes, and the hub's list is consistent with the edge slots.
  CHECK(g.edge_count() == g.node_count() - 1);
  const auto h = *g.find("hub");
  CHECK(g.node(h).edges.size() == g.edge_count());
  for (auto e : g.node(h).edges) CHECK(g.edge(e).alive);
}

TEST_CASE("entity graph: past max_edges the least recently seen edges go") {
  entity_graph g({1000, 5});
  for (int i = 0; i < 20; ++i)
    g.observe(obs(ent(T::user, "u"), ent(T::file, "/f" + std::to_string(i)), E::accessed, i));
  CHECK(g.edge_count() <= 5);
  CHECK(g.counters().evicted_edges >= 15);
  const auto u = *g.find("u");
  CHECK(g.fan_out(u) == g.edge_count());
  for (auto e : g.node(u).edges) CHECK(g.edge(e).last_ns >= 15);
  // Random churn keeps every adjacency position right (swap-removal bookkeeping).
  std::mt19937_64 rng(3);
  entity_graph h({50, 120});
  for (int i = 0; i < 5000; ++i)
    h.observe(obs(ent(T::ip, std::to_string(rng() % 200)), ent(T::host, std::to_string(rng() % 80)),
                  E::has_ip, i));
  std::size_t ends = 0;
  for (std::uint32_t n = 0; n < h.node_slots(); ++n) {
    if (!h.node(n).alive) continue;
    const auto& list = h.node(n).edges;
    for (std::uint32_t p = 0; p < list.size(); ++p) {
      const auto& e = h.edge(list[p]);
      REQUIRE(e.alive);
      CHECK(((e.from == n && e.pos_in_from == p) || (e.to == n && e.pos_in_to == p)));
    }
    ends += list.size();
  }
  CHECK(ends == 2 * h.edge_count());
  CHECK(h.node_count() <= 50);
  CHECK(h.edge_count() <= 120);
}

TEST_CASE("entity graph: snapshot and restore round-trip") {
  entity_graph g;
  g.observe(obs(ent(T::user, "alice"), ent(T::ip, "10.0.0.1"), E::authenticated_from, 10, 4));
  g.observe(obs(ent(T::domain, "evil.example"), ent(T::ip, "10.0.0.1"), E::resolved_to, 20));
  g.observe(obs(ent(T::process, "bash"), ent(T::process, "sshd"), E::spawned_by, 30));
  const auto blob = g.snapshot();
  entity_graph r;
  REQUIRE(r.restore(blob));
  CHECK(r.node_count() == 5);
  CHECK(r.edge_count() == 3);
  CHECK(r.snapshot() == blob);
  CHECK(r.newest_ns() == 30);
  const auto a = *r.find("alice");
  REQUIRE(r.node(a).edges.size() == 1);
  CHECK(r.edge(r.node(a).edges[0]).count == 4);
  CHECK(r.node(a).entity.id == ent(T::user, "alice").id);
}

TEST_CASE("entity graph: malformed, truncated, binary and hostile snapshots are refused") {
  entity_graph g;
  g.observe(obs(ent(T::user, "alice"), ent(T::ip, "10.0.0.1"), E::authenticated_from, 10));
  const auto blob = g.snapshot();
  entity_graph r;
  for (std::size_t cut = 0; cut < blob.size(); ++cut) {
    CHECK_FALSE(r.restore(blob.substr(0, cut)));
    CHECK(r.node_count() == 0);
  }
  CHECK_FALSE(r.restore(blob + "x"));  // trailing garbage
  CHECK_FALSE(r.restore(std::string("\x00\xff\x01\x02", 4)));
  // A huge count with nothing behind it must not allocate.
  CHECK_FALSE(r.restore(std::string("SFG1\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 13)));
  // An edge pointing past the nodes, an unknown type, a self edge.
  auto bad = blob;
  bad[bad.size() - 10] = '\x05';
  entity_graph s;
  (void)s.restore(bad);  // whatever it says, it must be consistent
  CHECK(s.edge_count() <= 1);
  std::mt19937_64 rng(11);
  for (int i = 0; i < 2000; ++i) {
    std::string junk = "SFG1";
    const auto len = rng() % 64;
    for (std::size_t k = 0; k < len; ++k) junk += static_cast<char>(rng());
    entity_graph x;
    if (x.restore(junk)) CHECK(x.edge_count() <= x.node_count());
  }
  CHECK(r.restore(blob));
  CHECK(r.edge_count() == 1);
}

TEST_CASE("entity graph: unsaved growth is handed out once, as increments") {
  entity_graph g;
  const auto a = ent(T::user, "alice"), ip = ent(T::ip, "10.0.0.1"), f = ent(T::file, "/etc/x");
  g.observe(obs(a, ip, E::authenticated_from, 10, 3));
  std::vector<model::edge_observation> out;
  g.take_unsaved(out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].count == 3);
  g.take_unsaved(out);
  CHECK(out.empty());
  g.observe(obs(a, ip, E::authenticated_from, 20, 2));
  g.observe(obs(a, f, E::accessed, 30));
  g.take_unsaved(out);
  REQUIRE(out.size() == 2);
  for (const auto& o : out) CHECK(o.count == (o.type == E::accessed ? 1u : 2u));
  entity_graph r;
  REQUIRE(r.restore(g.snapshot()));
  r.take_unsaved(out);
  CHECK(out.empty());
}
