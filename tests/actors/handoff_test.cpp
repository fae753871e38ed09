// The hand-off between receivers and a source actor: batches reach the actor in order; those it
// has not processed when it dies are re-delivered to its next incarnation; a batch that keeps
// killing it is quarantined and counted; credits always come back.
#include <catch2/catch.hpp>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <memory>
#include <vector>

#include "messages/atoms.hpp"
#include "messages/inspect.hpp"
#include "runtime/system/actor_handoff.hpp"
#include "tests/actors/test_system.hpp"

using namespace seerflow;

namespace {

struct seen {
  std::vector<std::string> first_records;  // first record of each batch, in arrival order
};

model::raw_batch batch_of(const std::string& first, std::size_t n = 1) {
  model::raw_batch b;
  for (std::size_t i = 0; i < n; ++i) b.records.push_back({i == 0 ? first : "x", 0, "test"});
  return b;
}

// A source stand-in: records what it gets; acknowledges it unless told to crash on it.
caf::behavior fake_source(caf::event_based_actor* self, std::shared_ptr<system::actor_handoff> h,
                          seen* log, std::string crash_on) {
  return {
      [=](messages::ingest_atom, std::uint64_t seq, const model::raw_batch& b,
          const ingest::credit_token&) {
        const auto& first = b.records.front().data;
        log->first_records.push_back(first);
        if (first == crash_on) {
          self->quit(caf::make_error(caf::sec::runtime_error, "poison"));
          return;
        }
        h->processed(seq, seq);
      },
  };
}

struct fixture : test::test_system {
  std::shared_ptr<system::actor_handoff> handoff =
      std::make_shared<system::actor_handoff>("src", 8, metrics);
  seen log;
  std::vector<caf::actor> spawned;

  // The actor system waits for every actor when it goes: stop the stand-ins first.
  ~fixture() {
    for (auto& a : spawned) caf::anon_send_exit(a, caf::exit_reason::kill);
    run();
  }

  caf::actor incarnation(const std::string& crash_on = "") {
    auto a = sys->spawn(fake_source, handoff, &log, crash_on);
    spawned.push_back(a);
    handoff->attach(a);
    return a;
  }
};

}  // namespace

TEST_CASE_METHOD(fixture, "batches reach the source in order and credits come back") {
  incarnation();
  for (const char* r : {"a", "b", "c"}) {
    auto b = batch_of(r);
    REQUIRE(handoff->try_submit(b));
  }
  CHECK(handoff->gate()->in_flight() == 3);
  run();
  CHECK(log.first_records == std::vector<std::string>{"a", "b", "c"});
  CHECK(handoff->retained() == 0);
  CHECK(handoff->gate()->in_flight() == 0);
  CHECK(handoff->last_event_seq() == 3);
}

TEST_CASE_METHOD(fixture, "batches handed over before the source exists wait for it") {
  auto b = batch_of("early");
  REQUIRE(handoff->try_submit(b));
  CHECK(handoff->retained() == 1);
  incarnation();
  run();
  CHECK(log.first_records == std::vector<std::string>{"early"});
  CHECK(metrics.get_counter("handoff_redelivered_batches", {{"source", "src"}}).value() == 1);
}

TEST_CASE_METHOD(fixture,
                 "unprocessed batches are re-delivered, in order, to the next incarnation") {
  auto first = incarnation();
  auto a = batch_of("a");
  REQUIRE(handoff->try_submit(a));
  run();
  // The actor dies with two batches in its mailbox.
  caf::anon_send_exit(first, caf::exit_reason::kill);
  auto b = batch_of("b"), c = batch_of("c");
  REQUIRE(handoff->try_submit(b));
  REQUIRE(handoff->try_submit(c));
  run();
  CHECK(log.first_records == std::vector<std::string>{"a"});
  CHECK(handoff->retained() == 2);
  CHECK(handoff->gate()->in_flight() == 2);  // retained batches keep their credit
  incarnation();
  auto d = batch_of("d");
  REQUIRE(handoff->try_submit(d));
  run();
  CHECK(log.first_records == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(handoff->retained() == 0);
  CHECK(handoff->gate()->in_flight() == 0);
}

TEST_CASE_METHOD(fixture, "a batch that keeps killing its source is quarantined and counted") {
  incarnation("poison");
  auto p = batch_of("poison", 5), ok = batch_of("fine");
  REQUIRE(handoff->try_submit(p));
  REQUIRE(handoff->try_submit(ok));
  run();
  // Each restart re-delivers it; after max_attempts deliveries it is dropped, not retried.
  for (int i = 1; i < system::actor_handoff::max_attempts; ++i) {
    incarnation("poison");
    run();
  }
  CHECK(handoff->retained() == 2);
  incarnation("poison");
  run();
  CHECK(metrics
            .get_counter("records_dropped",
                         {{"stage", "handoff"}, {"source", "src"}, {"reason", "poison_batch"}})
            .value() == 5);
  // The batch behind it was delivered and processed; every credit is back.
  CHECK(log.first_records.back() == "fine");
  CHECK(handoff->retained() == 0);
  CHECK(handoff->gate()->in_flight() == 0);
}

TEST_CASE_METHOD(fixture, "without credit, try_submit refuses and leaves the batch untouched") {
  incarnation();
  for (int i = 0; i < 8; ++i) {
    auto b = batch_of("x");
    REQUIRE(handoff->try_submit(b));
  }
  auto refused = batch_of("refused", 3);
  CHECK_FALSE(handoff->try_submit(refused));
  CHECK(refused.records.size() == 3);
  run();
  CHECK(handoff->try_submit(refused));
}
