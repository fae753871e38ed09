// Crash safety: a child process commits batches, stages one more without committing and is
// killed with SIGKILL. The parent finds exactly the committed rows, an intact database, and
// the links of committed-but-unfolded events folded on re-open.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "runtime/store/event_store.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace seerflow;
using namespace seerflow::store;
using store::test::make_entity;
using store::test::open_reader;
using store::test::temp_dir;

namespace {

constexpr int committed_batches = 12;
constexpr int batch_events = 1000;
// Staged with long messages, ~100 MB: more than the page cache, so SQLite spills uncommitted
// pages into the WAL before the kill.
constexpr int staged_events = 200'000;
constexpr std::size_t staged_padding = 400;

std::vector<model::entity_ref> pool() {
  std::vector<model::entity_ref> v;
  for (int i = 0; i < 50; ++i)
    v.push_back(make_entity(model::entity_type::ip, "10.9.0." + std::to_string(i),
                            static_cast<std::uint8_t>(i + 1)));
  return v;
}

// Event n links entities n % 50 and (n * 7) % 50: two distinct ones unless they coincide.
std::vector<model::event> batch(int first, int n, const std::vector<model::entity_ref>& ents,
                                std::size_t padding = 0) {
  std::vector<model::event> v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto& e = v[static_cast<std::size_t>(i)];
    const int k = first + i;
    e.source = "crash";
    e.seq = static_cast<std::uint64_t>(k + 1);
    e.time_ns = 1'000'000 + k;
    e.message = "event " + std::to_string(k) + " with some text to fill the page a bit more";
    e.message.append(padding, '.');
    e.template_id = static_cast<std::uint64_t>(k % 5 + 1);
    e.template_text = "event <*> with some text";
    e.entities = {ents[static_cast<std::size_t>(k % 50)],
                  ents[static_cast<std::size_t>((k * 7) % 50)]};
  }
  return v;
}

std::int64_t links_of(int events) {
  std::int64_t n = 0;
  for (int k = 0; k < events; ++k) n += (k % 50 == (k * 7) % 50) ? 1 : 2;
  return n;
}

[[noreturn]] void child(const std::string& path, int ready_fd) {
  try {
    const auto ents = pool();
    store_options o{path};
    o.fold_links = 9000;  // some commits fold, the last ones leave links unfolded
    o.fold_interval_ms = 3'600'000;
    event_store st(o);
    for (int b = 0; b < committed_batches; ++b) {
      st.add_events(batch(b * batch_events, batch_events, ents));
      st.commit();
    }
    const bool some_unfolded = st.unfolded_links() > 0;
    for (int done = 0; done < staged_events; done += 10'000)
      st.add_events(batch(committed_batches * batch_events + done, 10'000, ents, staged_padding));
    const char msg = some_unfolded ? 'u' : 'f';
    if (::write(ready_fd, &msg, 1) != 1) ::_exit(4);
    for (;;) ::pause();
  } catch (...) {
    ::_exit(3);
  }
}

}  // namespace

TEST_CASE("a writer killed with SIGKILL loses only what it had not committed") {
  temp_dir dir;
  const auto path = dir.file("crash.db");
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    child(path, fds[1]);
  }
  ::close(fds[1]);
  char msg = 0;
  const auto got = ::read(fds[0], &msg, 1);
  ::close(fds[0]);
  ::kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(got == 1);  // otherwise the child failed before staging (exit code in status)
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  CHECK(msg == 'u');  // the kill left committed links unfolded, to be recovered below
  // The staged transaction reached the WAL file (spilled) without committing.
  CHECK(std::filesystem::file_size(path + "-wal") > 32u * 1024 * 1024);

  constexpr int committed = committed_batches * batch_events;
  {
    auto db = open_reader(path);
    CHECK(db.query_text("PRAGMA integrity_check") == "ok");
    CHECK(db.query_int64("SELECT count(*) FROM events") == committed);
    CHECK(db.query_int64("SELECT max(id) FROM events") == committed);
    CHECK(db.query_int64("SELECT max(seq) FROM events") == committed);
    // The view is right even before anyone folds what the child left unfolded.
    CHECK(db.query_int64("SELECT count(*) FROM event_entities") == links_of(committed));
    CHECK(db.query_int64("SELECT value FROM store_meta WHERE name = "
                         "'folded_through_event_id'") < committed);
  }
  {
    event_store st({path});  // folds the committed links left unfolded
    CHECK(st.unfolded_links() == 0);
    st.add_events(batch(committed, 10, pool()));
    st.commit();
  }
  auto db = open_reader(path);
  CHECK(db.query_text("PRAGMA integrity_check") == "ok");
  CHECK(db.query_int64("SELECT count(*) FROM events") == committed + 10);
  CHECK(db.query_int64("SELECT min(id) FROM events WHERE message = 'event " +
                       std::to_string(committed) +
                       " with some text to fill the page a bit more'") == committed + 1);
  CHECK(db.query_int64("SELECT sum(event_count) FROM entities") == links_of(committed + 10));
  CHECK(db.query_int64("SELECT sum(event_count) FROM templates") == committed + 10);
  CHECK(db.query_int64("SELECT count(*) FROM entities") == 50);
  CHECK(db.query_int64("SELECT count(*) FROM event_entities") == links_of(committed + 10));
  CHECK(db.query_int64("SELECT count(*) FROM (SELECT entity_key, event_id FROM event_entities "
                       "GROUP BY 1, 2 HAVING count(*) > 1)") == 0);
  CHECK(db.query_int64("SELECT min(first_seen_ns) FROM entities") == 1'000'000);
  CHECK(db.query_int64("SELECT max(last_seen_ns) FROM entities") == 1'000'000 + committed + 9);
}
