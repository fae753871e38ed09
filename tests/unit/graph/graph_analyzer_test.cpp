#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "runtime/graph/graph_analyzer.hpp"
#include "tests/unit/graph/graph_fixtures.hpp"

using namespace seerflow;
using namespace seerflow::graph;
using graph::test::ent;
using graph::test::obs;
using T = model::entity_type;
using E = model::edge_type;

namespace {

// Users u<c>_<i> of clique c, all logged into each other's hosts: cliques of users and hosts.
void clique(entity_graph& g, const std::string& name, int users, std::int64_t t) {
  for (int i = 0; i < users; ++i)
    for (int h = 0; h < 2; ++h)
      g.observe(obs(ent(T::user, name + "-u" + std::to_string(i)),
                    ent(T::host, name + "-h" + std::to_string(h)), E::logged_into, t));
}

std::vector<model::alert> by_rule(const analysis& a, const std::string& rule) {
  std::vector<model::alert> out;
  for (const auto& f : a.findings)
    if (f.rule == rule) out.push_back(f);
  return out;
}

}  // namespace

TEST_CASE("analyzer: an entity that moves to another community is a finding, once") {
  analysis_options o;
  o.betweenness_threshold = 2;  // off for this test
  graph_analyzer an(o);
  entity_graph g1;
  clique(g1, "a", 6, 1);
  clique(g1, "b", 6, 1);
  g1.observe(obs(ent(T::user, "mover"), ent(T::host, "a-h0"), E::logged_into, 1));
  g1.observe(obs(ent(T::user, "mover"), ent(T::host, "a-h1"), E::logged_into, 1));
  const auto r1 = an.run(g1);
  CHECK(r1.communities.count == 2);
  CHECK(by_rule(r1, "graph.community_change").empty());  // no previous run

  entity_graph g2;  // the same, but "mover" now works on b's hosts
  clique(g2, "a", 6, 2);
  clique(g2, "b", 6, 2);
  g2.observe(obs(ent(T::user, "mover"), ent(T::host, "b-h0"), E::logged_into, 2));
  g2.observe(obs(ent(T::user, "mover"), ent(T::host, "b-h1"), E::logged_into, 2));
  const auto r2 = an.run(g2);
  const auto f = by_rule(r2, "graph.community_change");
  REQUIRE(f.size() == 1);
  CHECK(f[0].kind == "graph");
  CHECK(f[0].entities.at(0).value == "mover");
  CHECK(f[0].time_ns == 2);
  const auto d = nlohmann::json::parse(f[0].details_json);
  CHECK(d["from_community"] != d["to_community"]);
  CHECK(d["to_size"] == 9);
  // Labels follow the communities: the same graph again has no crossing.
  CHECK(by_rule(an.run(g2), "graph.community_change").empty());
}

TEST_CASE("analyzer: betweenness rising above the threshold is reported on the rise only") {
  analysis_options o;
  o.betweenness_threshold = 0.3;
  o.min_vertices = 5;
  graph_analyzer an(o);
  entity_graph g;
  clique(g, "a", 4, 1);
  clique(g, "b", 4, 1);
  CHECK(by_rule(an.run(g), "graph.betweenness").empty());  // two separate components
  g.observe(obs(ent(T::user, "bridge"), ent(T::host, "a-h0"), E::logged_into, 2));
  g.observe(obs(ent(T::user, "bridge"), ent(T::host, "b-h0"), E::logged_into, 2));
  const auto r = an.run(g);
  const auto f = by_rule(r, "graph.betweenness");
  REQUIRE_FALSE(f.empty());
  bool bridge = false;
  for (const auto& x : f) bridge |= x.entities.at(0).value == "bridge";
  CHECK(bridge);
  CHECK(by_rule(an.run(g), "graph.betweenness").empty());  // still a bridge: not again
}

TEST_CASE("analyzer: fan-out above mean + k sigma of the entity's own history") {
  analysis_options o;
  o.betweenness_threshold = 2;
  o.fanout_min_runs = 5;
  o.fanout_sigma = 3;
  o.min_vertices = 1;
  graph_analyzer an(o);
  entity_graph g;
  const auto scanner = ent(T::ip, "198.51.100.23");
  // Five runs with fan-out 1 or 2: the history.
  for (int run = 0; run < 5; ++run) {
    entity_graph h;
    h.observe(obs(ent(T::host, "web"), scanner, E::has_ip, run));
    if (run % 2) h.observe(obs(ent(T::host, "web"), ent(T::ip, "10.0.0.1"), E::has_ip, run));
    CHECK(by_rule(an.run(h), "graph.fan_out").empty());
  }
  entity_graph burst;
  for (int i = 0; i < 12; ++i)
    burst.observe(
        obs(ent(T::host, "web"), ent(T::ip, "10.1.0." + std::to_string(i)), E::has_ip, 9));
  const auto r = an.run(burst);
  const auto f = by_rule(r, "graph.fan_out");
  REQUIRE(f.size() == 1);
  CHECK(f[0].entities.at(0).value == "web");
  const auto d = nlohmann::json::parse(f[0].details_json);
  CHECK(d["fan_out"] == 12);
  CHECK(d["runs"] == 5);
  CHECK(d["edges_sample"].size() == 10);
  // The JSON view is bounded and names the top entity.
  const auto j = nlohmann::json::parse(analysis_json(burst, r, 3));
  CHECK(j["top"].size() == 3);
  CHECK(j["top"][0]["value"] == "web");
  CHECK(j["top"][0]["fan_out"] == 12);
  CHECK(j["findings"].size() == 1);
}

TEST_CASE("analyzer: findings per run are capped and the rest counted") {
  analysis_options o;
  o.betweenness_threshold = 0.0;  // everything is "central"
  o.min_vertices = 1;
  o.max_findings = 3;
  graph_analyzer an(o);
  entity_graph g;
  clique(g, "a", 10, 1);
  const auto r = an.run(g);
  CHECK(r.findings.size() == 3);
  CHECK(r.findings_dropped == 12 - 3);
}

TEST_CASE("analyzer: ego JSON of an entity, and of one that is not there") {
  entity_graph g;
  clique(g, "a", 3, 1);
  g.observe(obs(ent(T::user, "a-u0"), ent(T::ip, "10.9.9.9"), E::authenticated_from, 5, 7));
  const auto v = build_view(g);
  const auto j = nlohmann::json::parse(ego_json(g, v, "10.9.9.9", 1));
  CHECK(j["vertices"].size() == 2);
  REQUIRE(j["edges"].size() == 1);
  CHECK(j["edges"][0]["type"] == "authenticated_from");
  CHECK(j["edges"][0]["count"] == 7);
  const auto j2 = nlohmann::json::parse(ego_json(g, v, "10.9.9.9", 2));
  CHECK(j2["vertices"].size() == 4);  // the ip, a-u0, and its two hosts
  CHECK(ego_json(g, v, "nobody", 2).empty());
}
