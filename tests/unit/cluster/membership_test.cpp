#include "runtime/cluster/membership.hpp"

#include <catch2/catch.hpp>

using seerflow::cluster::backoff_policy;
using seerflow::cluster::member_info;
using seerflow::cluster::membership;

TEST_CASE("membership: seeds are dialled at once, never this node's own address") {
  membership m("n1", "127.0.0.1:7001", {"127.0.0.1:7001", "127.0.0.1:7002", "127.0.0.1:7003"});
  auto d = m.due(0);
  CHECK(d == std::vector<std::string>{"127.0.0.1:7002", "127.0.0.1:7003"});
  // Being dialled: not handed out twice.
  CHECK(m.due(1).empty());
  CHECK(m.live_ids() == std::vector<std::string>{"n1"});
}

TEST_CASE("membership: a failed dial backs off exponentially up to the maximum") {
  membership m("n1", "h:1", {"h:2"}, backoff_policy{100, 400});
  REQUIRE(m.due(0).size() == 1);
  m.connect_failed("h:2", 0);
  CHECK(m.due(99).empty());
  REQUIRE(m.due(100).size() == 1);
  m.connect_failed("h:2", 100);  // waits 200
  CHECK(m.due(299).empty());
  REQUIRE(m.due(300).size() == 1);
  m.connect_failed("h:2", 300);  // waits 400
  REQUIRE(m.due(700).size() == 1);
  m.connect_failed("h:2", 700);  // capped at 400
  CHECK(m.due(1099).empty());
  CHECK(m.due(1100).size() == 1);
  CHECK(m.peers().front().failures == 4);
}

TEST_CASE("membership: joining through one seed learns the others by gossip") {
  membership m("n3", "h:3", {"h:1"});
  REQUIRE(m.due(0) == std::vector<std::string>{"h:1"});
  CHECK(m.connected("h:1", "n1", 10));
  // The seed's reply: every live member it knows.
  CHECK(m.learn({{"n1", "h:1"}, {"n2", "h:2"}, {"n3", "h:3"}}) == 1);
  CHECK(m.due(11) == std::vector<std::string>{"h:2"});
  CHECK(m.connected("h:2", "n2", 12));
  CHECK(m.live_ids() == std::vector<std::string>{"n1", "n2", "n3"});
  CHECK(m.learn({{"n2", "h:2"}}) == 0);  // nothing new
  auto live = m.live_members();
  REQUIRE(live.size() == 3);
  CHECK(live[2].address == "h:3");
}

TEST_CASE("membership: a lost member leaves placement and is dialled again with backoff") {
  membership m("n1", "h:1", {}, backoff_policy{500, 4000});
  CHECK(m.joined({"n2", "h:2"}, 0));
  CHECK_FALSE(m.joined({"n2", "h:2"}, 1));  // already up
  CHECK(m.live_ids() == std::vector<std::string>{"n1", "n2"});
  CHECK(m.lost("n2", 100));
  CHECK_FALSE(m.lost("n2", 101));
  CHECK(m.live_ids() == std::vector<std::string>{"n1"});
  CHECK(m.due(599).empty());
  REQUIRE(m.due(600) == std::vector<std::string>{"h:2"});
  m.connect_failed("h:2", 600);
  CHECK(m.due(1599).empty());
  CHECK(m.due(1600).size() == 1);
  // It came back (a restart: a new process, the same id and address).
  CHECK(m.connected("h:2", "n2", 1700));
  CHECK(m.is_up("n2"));
}

TEST_CASE("membership: a seed unreachable for longer than the threshold is reported") {
  membership m("n1", "h:1", {"h:2", "h:3"});
  REQUIRE(m.due(0).size() == 2);
  m.connect_failed("h:2", 0);
  CHECK(m.connected("h:3", "n3", 5));
  CHECK(m.unreachable_seeds(29999, 30000).empty());
  CHECK(m.unreachable_seeds(30000, 30000) == std::vector<std::string>{"h:2"});
  // A seed that was up and went away counts from when it went.
  CHECK(m.lost("n3", 40000));
  CHECK(m.unreachable_seeds(60000, 30000) == std::vector<std::string>{"h:2"});
  CHECK(m.unreachable_seeds(70000, 30000) == std::vector<std::string>{"h:2", "h:3"});
}

TEST_CASE("membership: gossip never adds this node or a member already known by id") {
  membership m("n1", "h:1", {});
  CHECK(m.joined({"n2", "h:2"}, 0));
  CHECK(m.learn({{"n1", "h:1"}, {"n2", "other:2"}, {"n3", ""}}) == 0);
  CHECK(m.peers().size() == 1);
}
