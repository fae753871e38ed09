// Held findings: a batch's findings wait for the correlation verdicts announced for them, are
// merged in the order the source would have raised them, and are applied block by block in
// arrival order; a verdict that never comes holds nothing forever.
#include "runtime/correlate/held_findings.hpp"
#include "runtime/model/deliveries.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

using seerflow::correlate::held_findings;
using seerflow::model::finding;

namespace {

finding make(const std::string& id, const std::string& kind, std::vector<std::uint64_t> seqs) {
  finding f;
  f.alert_id = id;
  f.kind = kind;
  f.event_seqs = std::move(seqs);
  return f;
}

std::vector<std::string> ids(const std::vector<finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs) out.push_back(f.alert_id);
  return out;
}

struct applied_log {
  std::vector<std::pair<std::string, std::vector<std::string>>> blocks;
  auto fn() {
    return [this](const std::string& source, const std::vector<finding>& fs) {
      blocks.emplace_back(source, ids(fs));
    };
  }
};

using strings = std::vector<std::string>;

}  // namespace

TEST_CASE("a verdict is merged after the findings of earlier and same events, before anomalies") {
  std::vector<finding> block = {make("s1", "sigma", {1}), make("s4", "sigma", {4}),
                                make("s6", "sigma", {6}), make("a2", "anomaly", {2}),
                                make("a5", "anomaly", {5})};
  held_findings::merge_verdict(block, {make("c4", "correlation", {2, 4})});
  held_findings::merge_verdict(block, {make("c9", "correlation", {9})});
  CHECK(ids(block) == strings{"s1", "s4", "c4", "s6", "c9", "a2", "a5"});
  std::vector<finding> empty;
  held_findings::merge_verdict(empty, {make("c", "correlation", {3})});
  CHECK(ids(empty) == strings{"c"});
}

TEST_CASE("findings wait for every verdict announced, then apply in arrival order") {
  held_findings h;
  applied_log log;
  h.add_own("auth", 7, {11, 12}, {make("s5", "sigma", {5})}, {});
  h.add_own("web", 3, {}, {make("w1", "sigma", {1})}, {});  // behind the auth block
  h.release(log.fn());
  CHECK(log.blocks.empty());
  CHECK(h.add_verdict("auth", 7, 12, {make("c3", "correlation", {3})}));
  h.release(log.fn());
  CHECK(log.blocks.empty());  // 11 is still out
  CHECK(h.add_verdict("auth", 7, 11, {}));
  h.release(log.fn());
  REQUIRE(log.blocks.size() == 2);
  CHECK(log.blocks[0].first == "auth");
  CHECK(log.blocks[0].second == strings{"c3", "s5"});
  CHECK(log.blocks[1].first == "web");
  CHECK(log.blocks[1].second == strings{"w1"});
  CHECK(h.empty());
  CHECK(h.overdue() == 0);
}

TEST_CASE("a verdict nobody waits for is the caller's to apply") {
  held_findings h;
  h.saw("auth", 7);
  CHECK_FALSE(h.add_verdict("auth", 7, 11, {make("c", "correlation", {1})}));  // late
  h.add_own("auth", 7, {11}, {}, {});
  CHECK_FALSE(h.add_verdict("auth", 6, 11, {}));  // an earlier batch
  h.saw("other", 9);
  CHECK_FALSE(h.add_verdict("other", 7, 11, {}));  // another source
  CHECK_FALSE(h.add_verdict("auth", 7, 12, {}));   // another entity
  CHECK(h.add_verdict("auth", 7, 11, {}));
  CHECK_FALSE(h.add_verdict("auth", 7, 11, {}));  // once only
}

TEST_CASE("the entity's own correlation findings join its block in event order") {
  held_findings h;
  applied_log log;
  h.add_own("auth", 1, {}, {make("s2", "sigma", {2}), make("a1", "anomaly", {1})},
            {make("c1", "correlation", {1})});
  h.release(log.fn());
  REQUIRE(log.blocks.size() == 1);
  CHECK(log.blocks[0].second == strings{"c1", "s2", "a1"});
}

TEST_CASE("a lost verdict holds findings for at most max_blocks blocks") {
  held_findings h(2);
  applied_log log;
  h.saw("auth", 1);
  h.add_own("auth", 1, {99}, {make("x", "sigma", {1})}, {});
  h.saw("auth", 2);
  h.add_own("auth", 2, {}, {make("y", "sigma", {1})}, {});
  h.release(log.fn());
  CHECK(log.blocks.empty());
  h.saw("auth", 3);
  h.add_own("auth", 3, {}, {make("z", "sigma", {1})}, {});
  h.release(log.fn());
  // Three blocks held, two allowed: the first goes without its verdict, and the rest follow.
  REQUIRE(log.blocks.size() == 3);
  CHECK(log.blocks[0].second == strings{"x"});
  CHECK(h.overdue() == 1);
  // Its verdict, should it come now, is late: the caller applies it.
  CHECK_FALSE(h.add_verdict("auth", 1, 99, {}));
}

TEST_CASE("release_all applies everything held, counting what it did not wait for") {
  held_findings h;
  applied_log log;
  h.add_own("auth", 1, {5, 6}, {make("x", "sigma", {1})}, {});
  h.add_own("auth", 2, {}, {make("y", "sigma", {1})}, {});
  h.release_all(log.fn());
  REQUIRE(log.blocks.size() == 2);
  CHECK(h.empty());
  CHECK(h.overdue() == 1);
}

TEST_CASE("duplicate announcements of one entity count once") {
  held_findings h;
  applied_log log;
  h.add_own("auth", 1, {5, 5, 5}, {make("x", "sigma", {1})}, {});
  CHECK(h.add_verdict("auth", 1, 5, {}));
  h.release(log.fn());
  CHECK(log.blocks.size() == 1);
}

TEST_CASE("a verdict that overtakes its delivery waits for it and joins its block") {
  // The cluster case: the peer's delivery of batch 7 comes after the group's verdict on it.
  held_findings h;
  applied_log log;
  h.saw("auth", 6);
  CHECK(h.add_verdict("auth", 7, 11, {make("c3", "correlation", {3})}));
  CHECK(h.early() == 1);
  h.release(log.fn());
  CHECK(log.blocks.empty());
  h.saw("auth", 7);
  h.add_own("auth", 7, {11, 12}, {make("s5", "sigma", {5})}, {});
  CHECK(h.early() == 0);
  h.release(log.fn());
  CHECK(log.blocks.empty());  // 12 is still out
  CHECK(h.add_verdict("auth", 7, 12, {}));
  h.release(log.fn());
  REQUIRE(log.blocks.size() == 1);
  CHECK(log.blocks[0].second == strings{"c3", "s5"});
  CHECK(h.empty());
  CHECK(h.overdue() == 0);
}

TEST_CASE("an early verdict no delivery claims is applied late, not kept") {
  held_findings h(2);
  applied_log log;
  // Before any delivery of the source: early. The delivery of batch 4 does not wait for it (the
  // actor was revived after its own delivery of batch 3 had come), so it is applied then.
  CHECK(h.add_verdict("auth", 3, 11, {make("c", "correlation", {1})}));
  CHECK(h.add_verdict("auth", 3, 12, {}));
  h.saw("auth", 4);
  h.add_own("auth", 4, {}, {make("s", "sigma", {9})}, {});
  h.release(log.fn());
  REQUIRE(log.blocks.size() == 2);
  CHECK(log.blocks[0].second == strings{"c"});  // the empty verdict applies nothing
  CHECK(log.blocks[1].second == strings{"s"});
  CHECK(h.empty());
  // Past the bound the oldest goes first, whatever may still claim it.
  for (std::uint64_t b = 10; b < 13; ++b)
    CHECK(h.add_verdict("auth", b, 11, {make("v" + std::to_string(b), "correlation", {b})}));
  h.release(log.fn());
  REQUIRE(log.blocks.size() == 3);
  CHECK(log.blocks[2].second == strings{"v10"});
  CHECK(h.early() == 2);
  // Another source's batches are its own business.
  CHECK(h.add_verdict("web", 1, 11, {}));
  h.release_all(log.fn());
  CHECK(log.blocks.size() == 5);
  CHECK(h.empty());
}

TEST_CASE("one source name on two nodes: each node's batches are early or late on their own") {
  // A cluster's "syslog" source runs on every node, each counting its own batches; node 2 is far
  // ahead. A verdict on node 1's batch 5 that overtakes its delivery is still early.
  using seerflow::model::batch_number;
  held_findings h;
  applied_log log;
  h.saw("syslog", batch_number(2, 900));
  h.saw("syslog", batch_number(1, 4));
  CHECK(h.add_verdict("syslog", batch_number(1, 5), 11, {make("c", "correlation", {1})}));
  CHECK(h.early() == 1);
  h.release(log.fn());
  CHECK(log.blocks.empty());
  h.saw("syslog", batch_number(1, 5));
  h.add_own("syslog", batch_number(1, 5), {11}, {make("s", "sigma", {2})}, {});
  h.release(log.fn());
  REQUIRE(log.blocks.size() == 1);
  CHECK(log.blocks[0].second == strings{"c", "s"});
  CHECK(h.overdue() == 0);
  // Node 2's batch 5 is long past: its verdict is late.
  CHECK_FALSE(h.add_verdict("syslog", batch_number(2, 5), 11, {}));
}
