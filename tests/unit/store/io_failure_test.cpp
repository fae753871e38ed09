// A write that fails in the file system (here: the file size limit, RLIMIT_FSIZE, standing in
// for a full disk) surfaces as store_error, rolls back the transaction and leaves the store
// usable once space is back. Runs in a child process, since the limit is per process.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "runtime/store/event_store.hpp"
#include "runtime/store/store_error.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace seerflow;
using namespace seerflow::store;
using store::test::make_entity;
using store::test::make_event;
using store::test::open_reader;
using store::test::temp_dir;

namespace {

std::vector<model::event> batch(int first, int n, std::size_t message_size) {
  const auto ip = make_entity(model::entity_type::ip, "10.0.0.1", 1);
  std::vector<model::event> v;
  for (int i = first; i < first + n; ++i) {
    auto e = make_event(i, "event " + std::to_string(i), {ip}, 3, "event <*>");
    e.message.append(message_size, 'x');
    v.push_back(std::move(e));
  }
  return v;
}

// Exit codes tell the parent which step went wrong.
[[noreturn]] void child(const std::string& path) {
  int step = 10;
  try {
    store_options o{path};
    o.fold_links = 1 << 30;
    o.fold_interval_ms = 3'600'000;
    event_store st(o);
    st.add_events(batch(0, 100, 100));
    st.commit();
    step = 11;
    // Leave room for a few MB more in any file this process writes, then stage ~40 MB.
    ::signal(SIGXFSZ, SIG_IGN);  // a failed write() then reports EFBIG instead of killing us
    const auto wal = std::filesystem::file_size(path + "-wal");
    const auto db = std::filesystem::file_size(path);
    rlimit lim{};
    if (::getrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(step);
    const rlim_t unlimited = lim.rlim_cur;
    lim.rlim_cur = std::max(wal, db) + (4 << 20);  // the soft limit, so we may raise it again
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(step);
    step = 12;
    bool failed = false;
    try {
      for (int b = 0; b < 40; ++b) st.add_events(batch(100 + b * 1000, 1000, 1000));
      st.commit();
    } catch (const store_error& e) {
      failed = (e.primary_code() == SQLITE_IOERR || e.primary_code() == SQLITE_FULL);
    }
    if (!failed) ::_exit(step);
    step = 13;
    if (st.pending_rows() != 0) ::_exit(step);
    step = 14;
    // Space is back: the store carries on where the last commit left it.
    lim.rlim_cur = unlimited;
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) ::_exit(step);
    st.add_events(batch(100'000, 50, 10));
    st.commit();
    step = 15;
    if (st.totals().events != 150) ::_exit(step);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "child failed at step %d: %s\n", step, e.what());
    ::_exit(step);
  }
  ::_exit(0);
}

}  // namespace

TEST_CASE("a failed write rolls back and the store recovers when space is back") {
  temp_dir dir;
  const auto path = dir.file("full.db");
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) child(path);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);

  auto db = open_reader(path);
  CHECK(db.query_text("PRAGMA integrity_check") == "ok");
  CHECK(db.query_int64("SELECT count(*) FROM events") == 150);
  CHECK(db.query_int64("SELECT max(id) FROM events") == 150);
  CHECK(db.query_int64("SELECT count(*) FROM events WHERE time_ns >= 100000") == 50);
  CHECK(db.query_int64("SELECT count(*) FROM events WHERE time_ns BETWEEN 100 AND 99999") == 0);
  CHECK(db.query_int64("SELECT event_count FROM templates") == 150);
  CHECK(db.query_int64("SELECT event_count FROM entities") == 150);  // folded on close
  CHECK(db.query_int64("SELECT count(*) FROM event_entities") == 150);
}
