// The directory in a cluster, deterministically: deliveries split by owning node (rendezvous),
// one message per node per batch; ids that move on a membership change handed over with their
// state, deliveries that arrive meanwhile following their snapshot; batches from another node
// delivered here. The "other node" is a second directory behind a relay that plays its cluster
// actor (actors/cluster_actor.hpp), so the whole hand-over runs on the test coordinator.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

#include "actors/directory_actor.hpp"
#include "messages/inspect.hpp"
#include "runtime/cluster/rendezvous.hpp"
#include "runtime/parse/uuid5.hpp"
#include "tests/actors/test_system.hpp"

using namespace seerflow;
using namespace seerflow::messages;

namespace {

model::entity_ref ip(const std::string& v) {
  model::entity_ref r;
  r.type = model::entity_type::ip;
  r.value = v;
  r.id = parse::uuid5(parse::entity_namespace(r.type), v);
  return r;
}

std::uint64_t key_of(const std::string& v) {
  return model::entity_key(ip(v).id);
}

std::vector<std::string> ips(int n, int from = 0) {
  std::vector<std::string> out;
  for (int i = from; i < from + n; ++i)
    out.push_back("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250));
  return out;
}

routed_batch batch_for(const std::vector<std::string>& values, std::int64_t t) {
  routed_batch b;
  std::uint64_t seq = 0;
  for (const auto& v : values) {
    model::entity_delivery d;
    d.entity = ip(v);
    d.source = "test";
    d.observations.push_back({t, ++seq, 42});
    b.entities.push_back(std::move(d));
  }
  return b;
}

// What the relay saw, in order: "forward" or "handover", with the entity keys.
struct relay_log {
  std::vector<std::string> kinds;
  std::vector<std::set<std::uint64_t>> keys;
};

// Plays the other node's cluster actor: hands forwards and hand-overs to its directory.
caf::behavior relay(caf::event_based_actor* self, actors::directory_actor target, relay_log* log) {
  return {
      [=](forward_atom, routed_batch& b) -> caf::result<bool> {
        std::set<std::uint64_t> ks;
        for (const auto& d : b.entities) ks.insert(model::entity_key(d.entity.id));
        log->kinds.push_back("forward");
        log->keys.push_back(std::move(ks));
        auto rp = self->make_response_promise<bool>();
        self->request(target, caf::infinite, forward_atom::value, std::move(b))
            .then([rp](bool ok) mutable { rp.deliver(ok); });
        return rp;
      },
      [=](handover_atom, std::vector<handover_item>& items) {
        std::set<std::uint64_t> ks;
        for (const auto& i : items) {
          CHECK(i.entity);
          CHECK_FALSE(i.snapshot.empty());
          ks.insert(i.key);
        }
        log->kinds.push_back("handover");
        log->keys.push_back(std::move(ks));
        self->send(target, handover_atom::value, std::move(items));
      },
      [=](inspect_atom, std::string& kind, std::uint64_t key) -> caf::result<std::string> {
        auto rp = self->make_response_promise<std::string>();
        self->request(target, caf::infinite, inspect_atom::value, std::move(kind), key)
            .then([rp](std::string& v) mutable { rp.deliver(std::move(v)); });
        return rp;
      },
  };
}

struct fixture : test::test_system {
  actors::directory_actor a, b;  // the directories of nodes "a" (ours) and "b"
  caf::actor relay_b;
  relay_log log;

  static actors::directory_options default_options() {
    actors::directory_options o;
    o.idle = std::chrono::minutes(5);
    o.sweep_interval = std::chrono::minutes(1);
    return o;
  }
  explicit fixture(actors::directory_options o = default_options()) {
    a = sys->spawn(actors::directory_actor_impl, &ctx, o);
    b = sys->spawn(actors::directory_actor_impl, &ctx, o);
    relay_b = sys->spawn(relay, b, &log);
    run();
  }
  ~fixture() {
    caf::anon_send_exit(a, caf::exit_reason::kill);
    caf::anon_send_exit(b, caf::exit_reason::kill);
    caf::anon_send_exit(relay_b, caf::exit_reason::kill);
    run();
  }

  void place_a(std::vector<std::string> ids, std::vector<std::string> died = {}) {
    std::vector<caf::actor> handles;
    for (const auto& id : ids) handles.push_back(id == "b" ? relay_b : caf::actor{});
    caf::anon_send(a, placement_atom::value, std::move(ids), std::move(handles), std::string("a"),
                   std::move(died));
  }

  template <class Result, class... Ts>
  Result ask(const actors::directory_actor& d, Ts... xs) {
    Result out{};
    bool done = false;
    sys->spawn([&, d, xs...](caf::event_based_actor* self) {
      self->request(d, caf::infinite, xs...).then([&, self](const Result& r) {
        out = r;
        done = true;
        self->quit();
      });
    });
    run();
    REQUIRE(done);
    return out;
  }
  actors::directory_counts counts(const actors::directory_actor& d) {
    return ask<actors::directory_counts>(d, stats_atom::value);
  }
  nlohmann::json entity_state(const actors::directory_actor& d, const std::string& v) {
    auto s = ask<std::string>(d, inspect_atom::value, std::string("entity"), key_of(v));
    return s.empty() ? nlohmann::json() : nlohmann::json::parse(s);
  }
};

// The ids of `values` that rendezvous places on `node` among {a, b}.
std::set<std::uint64_t> owned_by(const std::string& node, const std::vector<std::string>& values) {
  cluster::rendezvous r({"a", "b"});
  std::set<std::uint64_t> out;
  for (const auto& v : values)
    if (r.owner(key_of(v)) == node) out.insert(key_of(v));
  return out;
}

}  // namespace

TEST_CASE_METHOD(fixture, "each batch leaves as one message per owning node") {
  place_a({"a", "b"});
  run();
  const auto values = ips(60);
  const auto on_b = owned_by("b", values);
  REQUIRE(on_b.size() > 10);
  REQUIRE(on_b.size() < 50);
  caf::anon_send(a, batch_for(values, 1000));
  run();
  REQUIRE(log.kinds == std::vector<std::string>{"forward"});
  CHECK(log.keys[0] == on_b);
  CHECK(counts(a)[2] == values.size() - on_b.size());  // live entities here: ours
  CHECK(counts(b)[2] == on_b.size());                  // and the rest on b
  CHECK(metrics.get_counter("cluster_batches_forwarded").value() == 1);
  // A second batch: again one message.
  caf::anon_send(a, batch_for(values, 2000));
  run();
  CHECK(log.kinds.size() == 2);
  // Looking an id up on a finds its state on b, with the node's name.
  const auto remote = *on_b.begin();
  std::string remote_value;
  for (const auto& v : values)
    if (key_of(v) == remote) remote_value = v;
  auto st = entity_state(a, remote_value);
  CHECK(st["events"] == 2);
}

TEST_CASE_METHOD(fixture, "a joining node gets the ids it now owns, with their state") {
  const auto values = ips(60);
  caf::anon_send(a, batch_for(values, 1000));  // alone: everything lives on a
  run();
  REQUIRE(counts(a)[2] == values.size());
  const auto on_b = owned_by("b", values);
  place_a({"a", "b"});
  // A batch that arrives while the moving actors are still passivating: its deliveries for
  // them wait and follow their snapshots.
  caf::anon_send(a, batch_for(values, 2000));
  run();
  REQUIRE(log.kinds.size() >= 2);
  CHECK(log.kinds.front() == "handover");
  std::set<std::uint64_t> handed, forwarded;
  bool forward_seen = false;
  for (std::size_t i = 0; i < log.kinds.size(); ++i) {
    if (log.kinds[i] == "handover") {
      // No forward of an id before its snapshot.
      for (auto k : log.keys[i]) CHECK(forwarded.count(k) == 0);
      handed.insert(log.keys[i].begin(), log.keys[i].end());
    } else {
      forward_seen = true;
      forwarded.insert(log.keys[i].begin(), log.keys[i].end());
    }
  }
  CHECK(forward_seen);
  CHECK(handed == on_b);
  CHECK(forwarded == on_b);
  // Only the moving ids moved; both batches are in the state on b.
  CHECK(counts(a)[2] + counts(a)[3] == values.size() - on_b.size());
  for (const auto& v : values) {
    if (!on_b.count(key_of(v))) continue;
    auto st = entity_state(b, v);
    CHECK(st["events"] == 2);
  }
  CHECK(metrics.get_counter("cluster_ids_handed_over").value() == on_b.size());
}

TEST_CASE_METHOD(fixture, "when the other node dies, its ids come back here, fresh") {
  place_a({"a", "b"});
  run();
  const auto values = ips(40);
  caf::anon_send(a, batch_for(values, 1000));
  run();
  place_a({"a"});  // b is gone: not clustered any more
  run();
  caf::anon_send(a, batch_for(values, 2000));
  run();
  CHECK(log.kinds.size() == 1);  // nothing more went to b
  CHECK(counts(a)[2] == values.size());
  for (const auto& v : values) {
    auto st = entity_state(a, v);
    CHECK(st["events"] == (owned_by("b", values).count(key_of(v)) ? 1 : 2));
  }
}

TEST_CASE_METHOD(fixture, "a batch forwarded by another node is delivered here") {
  bool ok = ask<bool>(a, forward_atom::value, batch_for(ips(5), 1000));
  CHECK(ok);
  CHECK(counts(a)[2] == 5);
  CHECK(metrics.get_counter("cluster_batches_delivered").value() == 1);
}

// ---- a dead node's ids from the shared store (storage.backend postgresql) ----

namespace {

// Plays the store actor: records the snapshots each directory writes, and answers a read of a
// node's snapshots only when the test says so (`answer`), or never.
struct fake_store_log {
  std::map<caf::actor_addr, std::map<std::uint64_t, std::string>> written;  // by writer
  std::size_t write_messages = 0;
  std::vector<std::string> reads;
  caf::response_promise held;
};

caf::behavior fake_store(caf::event_based_actor* self, fake_store_log* log) {
  return {
      [=](handover_atom, std::vector<handover_item>& items) {
        ++log->write_messages;
        auto& w = log->written[caf::actor_cast<caf::actor_addr>(self->current_sender())];
        for (auto& i : items) w[i.key] = std::move(i.snapshot);
      },
      [=](handover_atom, std::string& node) -> caf::result<std::vector<handover_item>> {
        log->reads.push_back(node);
        log->held = self->make_response_promise<std::vector<handover_item>>();
        return log->held;
      },
      [=](sync_atom, std::vector<handover_item>& answer) { log->held.deliver(std::move(answer)); },
  };
}

actors::directory_options snapshot_options() {
  auto o = fixture::default_options();
  o.snapshot_interval = std::chrono::seconds(1);
  o.restore_timeout = std::chrono::seconds(5);
  return o;
}

struct restore_fixture : fixture {
  fake_store_log store_log;
  caf::actor store;
  restore_fixture() : fixture(snapshot_options()) {
    store = sys->spawn(fake_store, &store_log);
    registry->put({"store", "store", "", "local", 1}, store);
    // b sees the same members (it never forwards anything here).
    caf::anon_send(b, placement_atom::value, std::vector<std::string>{"a", "b"},
                   std::vector<caf::actor>{caf::actor{}, caf::actor{}}, std::string("b"),
                   std::vector<std::string>{});
    place_a({"a", "b"});
    run();
  }
  ~restore_fixture() {
    caf::anon_send_exit(store, caf::exit_reason::kill);
    run();
  }
  const std::map<std::uint64_t, std::string>& written_by(const actors::directory_actor& d) {
    return store_log.written[d.address()];
  }
};

}  // namespace

TEST_CASE_METHOD(
    restore_fixture,
    "owners write changed actors' snapshots, and a dead node's ids come back from them") {
  const auto values = ips(60);
  const auto on_b = owned_by("b", values);
  caf::anon_send(a, batch_for(values, 1000));
  run();
  CHECK(store_log.write_messages == 0);  // nothing before the interval
  advance(std::chrono::seconds(1));
  run();
  // Each directory wrote its own ids, in one message each.
  CHECK(store_log.write_messages == 2);
  std::set<std::uint64_t> by_b;
  for (const auto& [k, bytes] : written_by(b)) by_b.insert(k);
  CHECK(by_b == on_b);
  CHECK(written_by(a).size() == values.size() - on_b.size());
  // Unchanged actors are not written again.
  advance(std::chrono::seconds(1));
  run();
  CHECK(store_log.write_messages == 2);

  // b dies. Its ids are ours now; their first deliveries wait for the store's answer.
  place_a({"a"}, {"b"});
  run();
  REQUIRE(store_log.reads == std::vector<std::string>{"b"});
  caf::anon_send(a, batch_for(values, 2000));
  run();
  CHECK(counts(a)[2] == values.size() - on_b.size());  // only ours are live yet
  std::string one_of_b;
  for (const auto& v : values)
    if (on_b.count(key_of(v))) one_of_b = v;
  CHECK(entity_state(a, one_of_b)["actor"] == "restoring");

  std::vector<handover_item> answer;
  for (const auto& [k, bytes] : written_by(b)) answer.push_back({true, k, bytes});
  caf::anon_send(store, sync_atom::value, std::move(answer));
  run();
  CHECK(counts(a)[2] == values.size());
  // Every id has both batches: b's from its snapshot, then the delivery that waited.
  for (const auto& v : values) CHECK(entity_state(a, v)["events"] == 2);
  CHECK(metrics.get_counter("cluster_ids_restored").value() == on_b.size());
  CHECK(metrics.get_counter("cluster_ids_restored_fresh").value() == 0);

  // They are a's now: written as a's at the next interval (with a's own, which changed).
  advance(std::chrono::seconds(1));
  run();
  CHECK(written_by(a).size() == values.size());
}

TEST_CASE_METHOD(restore_fixture, "a dead node's ids start fresh when the store does not answer") {
  const auto values = ips(40);
  const auto on_b = owned_by("b", values);
  caf::anon_send(a, batch_for(values, 1000));
  run();
  place_a({"a"}, {"b"});
  run();
  caf::anon_send(a, batch_for(values, 2000));
  run();
  CHECK(counts(a)[2] == values.size() - on_b.size());
  advance(std::chrono::seconds(5));  // the read times out
  run();
  CHECK(counts(a)[2] == values.size());
  CHECK(metrics.get_counter("cluster_ids_restored_fresh").value() == on_b.size());
  for (const auto& v : values)
    CHECK(entity_state(a, v)["events"] == (on_b.count(key_of(v)) ? 1 : 2));
}

TEST_CASE_METHOD(restore_fixture, "a node that leaves is not read from the store") {
  caf::anon_send(a, batch_for(ips(20), 1000));
  run();
  place_a({"a"});  // left: its hand-overs bring the state
  run();
  CHECK(store_log.reads.empty());
}
