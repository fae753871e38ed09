// The coroutine driver against a sink that commits only when told: batches carry peers
// "file:/path:LINE", no batch goes without a credit, and the checkpoint file advances only to
// the end of batches whose completion hook ran (what the credit token does after the store
// committed). A stop hands over the partial batch and writes the last checkpoint.
#include <catch2/catch.hpp>

#include <mutex>

#include "runtime/metrics/registry.hpp"
#include "runtime/tail/checkpoint_file.hpp"
#include "runtime/tail/file_tail_server.hpp"
#include "tests/unit/net/net_test_support.hpp"
#include "tests/unit/tail/tail_test_support.hpp"

using namespace seerflow;
using namespace seerflow::test;

namespace {

// Takes every batch (credits are not the subject here) and keeps its completion hook for the
// test to run: the test plays the store.
class committing_sink : public ingest::batch_sink {
 public:
  boost::asio::awaitable<bool> submit(model::raw_batch batch) override {
    std::lock_guard<std::mutex> g(mtx_);
    hooks_.push_back(std::move(batch.on_committed));  // the test holds the last reference
    batches_.push_back(std::move(batch));
    co_return true;
  }
  bool try_submit(model::raw_batch&) override { return false; }

  std::size_t batch_count() const {
    std::lock_guard<std::mutex> g(mtx_);
    return batches_.size();
  }
  std::size_t record_count() const {
    std::lock_guard<std::mutex> g(mtx_);
    std::size_t n = 0;
    for (const auto& b : batches_) n += b.records.size();
    return n;
  }
  model::raw_batch batch(std::size_t i) const {
    std::lock_guard<std::mutex> g(mtx_);
    auto b = batches_.at(i);
    b.on_committed = nullptr;
    return b;
  }
  void commit(std::size_t i) {
    std::shared_ptr<model::commit_hook> hook;
    {
      std::lock_guard<std::mutex> g(mtx_);
      hook = std::move(hooks_.at(i));
    }
    hook.reset();  // the last holder lets go: the hook runs
  }

 private:
  mutable std::mutex mtx_;
  std::vector<model::raw_batch> batches_;
  std::vector<std::shared_ptr<model::commit_hook>> hooks_;
};

std::uint64_t checkpoint_offset(const std::string& file) {
  try {
    const auto m = tail::load_checkpoints(file);
    return m.empty() ? 0 : m.begin()->second.offset;
  } catch (...) {
    return 0;
  }
}

}  // namespace

TEST_CASE("file tail server: batches with file peers; checkpoints follow committed batches only") {
  scratch_dir d;
  std::string lines;
  for (int i = 1; i <= 10; ++i) lines += "line " + std::to_string(i) + "\n";  // 7 or 8 bytes
  append(d / "app.log", lines);

  tail::file_tail_options o;
  o.tail.paths = {d / "*.log"};
  o.tail.start_at_end = false;
  o.poll_interval = std::chrono::milliseconds(5);
  o.rescan_interval = std::chrono::milliseconds(50);
  o.checkpoint_interval = std::chrono::milliseconds(0);
  o.checkpoint_path = d / "cp/tail.json";
  o.batch_size = 4;

  metrics::registry reg;
  net::receiver_counters counters(reg, "tail-test");
  auto sink = std::make_shared<committing_sink>();
  io_thread io;
  auto server = std::make_shared<tail::file_tail_server>(io.io(), o, sink, counters, reg);
  server->start();

  REQUIRE(wait_until([&] { return sink->record_count() == 10; }));
  CHECK(sink->batch_count() == 3);  // 4 + 4 + 2
  const auto first = sink->batch(0);
  REQUIRE(first.records.size() == 4);
  CHECK(first.format == model::input_format::raw);
  CHECK(first.records[0].data == "line 1");
  CHECK(first.records[0].peer == "file:" + (d / "app.log") + ":1");
  CHECK(first.records[3].peer == "file:" + (d / "app.log") + ":4");

  // Nothing committed: the checkpoint (written for the start position) stays at 0.
  REQUIRE(wait_until([&] { return std::filesystem::exists(o.checkpoint_path); }));
  CHECK(checkpoint_offset(o.checkpoint_path) == 0);
  // The second batch completes first: still nothing, the first one is not committed.
  sink->commit(1);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(checkpoint_offset(o.checkpoint_path) == 0);
  sink->commit(0);  // now both: the checkpoint moves to the end of line 8
  REQUIRE(wait_until([&] { return checkpoint_offset(o.checkpoint_path) == 4 * 7 + 4 * 7; }));

  append(d / "app.log", "line 11\n");
  REQUIRE(wait_until([&] { return sink->record_count() == 11; }));
  sink->commit(2);
  sink->commit(3);
  CHECK(stop_and_wait(server) == 1);
  CHECK(checkpoint_offset(o.checkpoint_path) == lines.size() + 8);
  CHECK(counters.records_received.value() == 11);
}
