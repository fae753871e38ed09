// Fault injection on a real node: the file_tail receiver is killed while it tails a file; its
// supervisor restarts it, the new incarnation resumes from the checkpoint its predecessor wrote
// on the way out, and every line of the file is stored exactly once.
#include <catch2/catch.hpp>

#include <sqlite3.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/send.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "runtime/config/loader.hpp"
#include "runtime/system/app/node.hpp"

using namespace seerflow;
namespace fs = std::filesystem;

namespace {

std::int64_t query(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return -1;
  }
  sqlite3_stmt* st = nullptr;
  std::int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

// Polls until the query answers `expected` (bounded: a broken tailer fails, never hangs).
bool wait_for(const std::string& db, const std::string& sql, std::int64_t expected) {
  for (int i = 0; i < 3000; ++i) {
    if (query(db, sql) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

void append_lines(const std::string& file, int first, int count) {
  std::ofstream out(file, std::ios::app);
  for (int i = first; i < first + count; ++i)
    out << "file line " << i << " user=bob action=upload size=" << (i * 7) % 1000 << "\n";
}

}  // namespace

TEST_CASE("a killed file_tail receiver is restarted and resumes from its checkpoint") {
  const fs::path dir =
      fs::temp_directory_path() / ("seerflow-file-restart-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "logs");
  const auto log_file = (dir / "logs/app.log").string();
  append_lines(log_file, 0, 3000);
  const std::string yaml = "data_dir: " + (dir / "data").string() +
                           "\n"
                           "receivers:\n"
                           "  syslog:\n    udp: {enabled: false, port: 0}\n"
                           "    tcp: {enabled: false, port: 0}\n"
                           "  files:\n    enabled: true\n    paths: [" +
                           (dir / "logs").string() +
                           "/*.log]\n"
                           "    start_at: beginning\n    poll_interval: 5ms\n"
                           "    checkpoint_interval: 0ms\n"
                           "pipeline: {batch_size: 64, credits: 4}\n"
                           "storage: {flush: 10ms}\n"
                           "supervision:\n  name: root\n  children:\n"
                           "    - {name: store, kind: store}\n"
                           "    - {name: alerts, kind: alerts}\n"
                           "    - {name: directory, kind: directory}\n"
                           "    - name: ingest\n      max_restarts: 10\n      children:\n"
                           "        - {name: files, kind: source}\n"
                           "        - {name: file-tail, kind: file_tail}\n";
  auto loaded = config::load_string(yaml, "file_tail_restart_test.yaml");
  REQUIRE(loaded.errors.empty());
  auto cfg = loaded.value;
  fs::create_directories(cfg.data_dir);
  const auto db = (dir / "data/seerflow.db").string();
  const std::string count_sql = "select count(*) from events where source = 'files'";
  {
    app::node n(cfg, system::run_mode::serve);
    n.boot(n.settings().supervision);
    REQUIRE(wait_for(db, count_sql, 3000));

    // Kill the receiver while lines keep coming; its supervisor restarts it.
    std::thread writer([&] { append_lines(log_file, 3000, 5000); });
    caf::anon_send_exit(n.registry().get("file-tail"), caf::exit_reason::kill);
    writer.join();
    bool restarted = false;
    for (int i = 0; i < 1000 && !restarted; ++i) {
      for (const auto& a : n.registry().list())
        restarted |= a.name == "file-tail" && a.incarnation >= 2;
      if (!restarted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(restarted);
    append_lines(log_file, 8000, 2000);
    REQUIRE(
        wait_for(db, "select count(distinct message) from events where source = 'files'", 10000));
    REQUIRE(n.shutdown(std::chrono::seconds(30)));
    CHECK(n.root_failure().empty());
  }
  // Exactly once: the predecessor checkpointed what it handed over before the successor read.
  CHECK(query(db, count_sql) == 10000);
  CHECK(query(db, "select count(distinct message) from events where source = 'files'") == 10000);
  fs::remove_all(dir);
}
