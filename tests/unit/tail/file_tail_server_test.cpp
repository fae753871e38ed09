// The coroutine driver against a sink that commits only when told: batches carry peers
// "file:/path:LINE", no batch goes without a credit, and the checkpoint file advances only to
// the end of batches whose completion hook ran (what the credit token does after the store
// committed). A stop hands over the partial batch and writes the last checkpoint. Each batch
// carries its read positions for the store, and a start resumes from the store's positions
// when they are newer than the checkpoint file.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

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

namespace {

tail::file_tail_options quick_options(const scratch_dir& d) {
  tail::file_tail_options o;
  o.tail.paths = {d / "*.log"};
  o.tail.start_at_end = false;
  o.poll_interval = std::chrono::milliseconds(5);
  o.rescan_interval = std::chrono::milliseconds(50);
  o.checkpoint_path = d / "cp/tail.json";
  o.tailer_name = "node-a/files";
  o.batch_size = 4;
  o.stop_wait = std::chrono::milliseconds(100);  // batches left uncommitted need no wait
  return o;
}

std::string ten_lines() {
  std::string lines;
  for (int i = 1; i <= 10; ++i) lines += "line " + std::to_string(i) + "\n";
  return lines;
}

// The identity of a file as the tailer records it.
tail::file_identity identity_of_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  tail::file_identity id;
  REQUIRE(tail::identity_of(fd, id));
  ::close(fd);
  return id;
}

}  // namespace

TEST_CASE("file tail server: each batch carries its read positions, numbered after the last run",
          "[tail]") {
  scratch_dir d;
  append(d / "app.log", ten_lines());
  const auto id = identity_of_file(d / "app.log");
  auto o = quick_options(d);
  // A previous run checkpointed through batch 20 at the end of line 2.
  tail::checkpoint_map cps;
  cps[tail::key_of(id)] = tail::checkpoint_entry{id, d / "app.log", 14, 2};
  tail::save_checkpoints(o.checkpoint_path, cps, 20);

  metrics::registry reg;
  net::receiver_counters counters(reg, "tail-test");
  auto sink = std::make_shared<committing_sink>();
  io_thread io;
  auto server = std::make_shared<tail::file_tail_server>(io.io(), o, sink, counters, reg);
  server->start();
  REQUIRE(wait_until([&] { return sink->record_count() == 8; }));
  const auto first = sink->batch(0);
  REQUIRE(first.tail);
  CHECK(first.records.front().data == "line 3");
  CHECK(first.tail->tailer == "node-a/files");
  CHECK(first.tail->seq == 21);
  CHECK(first.tail->saved_seq == 20);
  REQUIRE(first.tail->files.size() == 1);
  const auto& f = first.tail->files[0];
  CHECK(f.dev == id.dev);
  CHECK(f.ino == id.ino);
  CHECK(f.fingerprint == id.fingerprint);
  CHECK(f.fingerprint_len == id.fingerprint_len);
  CHECK(f.offset == 14 + 4 * 7);  // the end of line 6
  CHECK(f.line == 6);
  CHECK(sink->batch(1).tail->seq == 22);
  sink->commit(0);
  sink->commit(1);
  // The checkpoint file now covers batch 22.
  REQUIRE(wait_until([&] {
    std::uint64_t seq = 0;
    try {
      tail::load_checkpoints(o.checkpoint_path, &seq);
    } catch (...) {
    }
    return seq == 22;
  }));
  append(d / "app.log", "line 11\n");
  REQUIRE(wait_until([&] { return sink->record_count() == 9; }));
  CHECK(sink->batch(2).tail->saved_seq == 22);  // rows up to 22 may go from the store
  CHECK(stop_and_wait(server) == 1);
}

TEST_CASE("file tail server: resumes from the store's offsets when they are newer than the file",
          "[tail]") {
  scratch_dir d;
  append(d / "app.log", ten_lines());
  const auto id = identity_of_file(d / "app.log");
  auto o = quick_options(d);
  tail::checkpoint_map cps;
  cps[tail::key_of(id)] = tail::checkpoint_entry{id, d / "app.log", 28, 4};  // after line 4
  tail::save_checkpoints(o.checkpoint_path, cps, 5);
  std::atomic<int> asked{0};
  bool store_ok = true;
  std::vector<model::stored_tail_offset> rows;
  SECTION("the store committed lines 5-8 after the checkpoint file was written") {
    rows.push_back(
        {model::tail_file_offset{id.dev, id.ino, id.fingerprint, id.fingerprint_len, 28 + 4 * 7, 8},
         7});
  }
  SECTION("the store's row is older than the checkpoint file") {
    rows.push_back(
        {model::tail_file_offset{id.dev, id.ino, id.fingerprint, id.fingerprint_len, 14, 2}, 3});
  }
  SECTION("the store cannot answer") {
    store_ok = false;
  }
  o.load_stored = [&](std::function<void(tail::stored_offsets_answer)> done) {
    ++asked;
    // Answers from another thread, like the actor that asks the store.
    std::thread([&, done] {
      tail::stored_offsets_answer a;
      a.ok = store_ok;
      if (store_ok)
        a.rows = rows;
      else
        a.error = "no store";
      done(a);
    }).detach();
  };

  metrics::registry reg;
  net::receiver_counters counters(reg, "tail-test");
  auto sink = std::make_shared<committing_sink>();
  io_thread io;
  auto server = std::make_shared<tail::file_tail_server>(io.io(), o, sink, counters, reg);
  server->start();
  const bool newer = store_ok && rows.front().seq == 7;
  const std::size_t expected = newer ? 2 : 6;
  REQUIRE(wait_until([&] { return sink->record_count() == expected; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(sink->record_count() == expected);
  CHECK(asked == 1);
  const auto first = sink->batch(0);
  CHECK(first.records.front().data == (newer ? "line 9" : "line 5"));
  if (newer)
    CHECK(first.tail->seq == 8);
  else if (store_ok)
    CHECK(first.tail->seq == 6);
  else
    CHECK(first.tail->seq > 1'000'000'000'000'000ull / 1000);  // the clock's µs: above old rows
  CHECK(first.tail->saved_seq == 5);
  CHECK(stop_and_wait(server) == 1);
}
