// The full-text index in its own file (runtime/store/text_index.hpp): it follows the commits
// from its own thread, rolls over into parts, drops a part once retention took all its events,
// survives a reopen without indexing anything twice, rebuilds itself for a replaced store, and
// refuses a file at its path that is not an index. Searches read it through text_index_view.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "runtime/store/event_store.hpp"
#include "runtime/store/store_error.hpp"
#include "runtime/store/text_index.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace seerflow;
using namespace seerflow::store;
using store::test::make_entity;
using store::test::make_event;
using store::test::temp_dir;

namespace {

constexpr std::int64_t day_ns = 86'400LL * 1'000'000'000;
constexpr std::int64_t now_ns = 1'800'000'000LL * 1'000'000'000;

// Stored event ids the index finds for `match`, as a search sees them.
std::vector<std::int64_t> search(const std::string& path, const std::string& match) {
  sqlite_db db(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, 0);
  std::vector<std::int64_t> ids;
  if (!attach_text_index(db)) return ids;
  const auto view = text_index_view::read(db);
  std::string hits;
  for (const auto& t : view.tables)
    hits += (hits.empty() ? "" : " UNION ALL ") +
            ("SELECT rowid FROM fts." + t + " WHERE " + t + " MATCH ?1");
  if (hits.empty()) return ids;
  auto q = db.prepare("SELECT id FROM events WHERE id IN (" + hits + ") ORDER BY id", false);
  q.bind_text(1, match);
  while (q.step()) ids.push_back(q.column_int64(0));
  return ids;
}

std::vector<model::event> lines(int from, int n, std::int64_t t, const std::string& word) {
  std::vector<model::event> out;
  const auto ip = make_entity(model::entity_type::ip, "192.0.2.1", 1);
  for (int i = from; i < from + n; ++i)
    out.push_back(make_event(t + i, word + " line token" + std::to_string(i), {ip}));
  return out;
}

}  // namespace

TEST_CASE("the index follows the commits from its own thread") {
  temp_dir dir;
  const auto path = dir.file("follow.db");
  store_options o{path};
  o.text.background = true;
  o.text.idle_priority = false;  // a loaded test machine must not starve it
  o.text.poll = std::chrono::milliseconds(50);
  event_store st(o);
  st.add_events(lines(0, 5000, now_ns, "alpha"));
  st.commit();
  // Waits for the thread (no time is asserted: the loop ends when it caught up).
  for (int i = 0; i < 6000 && st.unindexed_text() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  REQUIRE(st.unindexed_text() == 0);
  CHECK(search(path, "alpha").size() == 5000);
  CHECK(search(path, "token4321") == std::vector<std::int64_t>{4322});
  CHECK(st.text_indexer_for_tests()->failures() == 0);
}

TEST_CASE("parts roll over, and one goes when retention took every event in it") {
  temp_dir dir;
  const auto path = dir.file("parts.db");
  store_options o{path};
  o.text.index.part_rows = 1000;
  event_store st(o);
  st.add_events(lines(0, 2500, now_ns - 40 * day_ns, "old"));
  st.add_events(lines(2500, 500, now_ns - day_ns, "new"));
  st.commit();
  CHECK(st.index_text(1500) == 1500);  // across the end of the first part
  CHECK(st.index_text(100000) == 1500);
  CHECK(st.index_text(100000) == 0);
  {
    sqlite_db idx(text_index_path(path));
    CHECK(idx.query_int64("SELECT count(*) FROM fts_parts") == 3);
    CHECK(idx.query_text("SELECT group_concat(first_id || '-' || last_id, ',') FROM "
                         "(SELECT * FROM fts_parts ORDER BY number)") ==
          "1-1000,1001-2000,2001-3000");
  }
  CHECK(search(path, "old").size() == 2500);
  retention_policy p;
  p.max_age_ns = 30 * day_ns;
  for (int i = 0; i < 100 && st.enforce_retention(p, now_ns, 1000).more; ++i) {
  }
  st.index_text(1);  // drops the emptied parts
  sqlite_db idx(text_index_path(path));
  // The third part still holds the new events (and 500 deleted old ones, which searches skip).
  CHECK(idx.query_int64("SELECT count(*) FROM fts_parts") == 1);
  CHECK(idx.query_int64("SELECT count(*) FROM sqlite_master WHERE name = 'part_1'") == 0);
  CHECK(search(path, "old").empty());
  CHECK(search(path, "new").size() == 500);
}

TEST_CASE("after a reopen the index goes on from its watermark, indexing nothing twice") {
  temp_dir dir;
  const auto path = dir.file("reopen.db");
  {
    event_store st({path});
    st.add_events(lines(0, 300, now_ns, "first"));
    st.commit();
    CHECK(st.index_text(1000) == 300);
    st.add_events(lines(300, 200, now_ns, "second"));
    st.commit();  // committed, not indexed: the next run indexes it
  }
  event_store st({path});
  CHECK(st.unindexed_text() == 200);
  CHECK(st.index_text(1000) == 200);
  CHECK(search(path, "token5") == std::vector<std::int64_t>{6});
  CHECK(search(path, "token450") == std::vector<std::int64_t>{451});
  CHECK(search(path, "line").size() == 500);
}

TEST_CASE("an index made for another store is emptied and rebuilt") {
  temp_dir dir;
  const auto path = dir.file("replaced.db");
  {
    event_store st({path});
    st.add_events(lines(0, 100, now_ns, "before"));
    st.commit();
    st.index_text(1000);
  }
  // The store is replaced (restored from elsewhere, or deleted); the index file stays.
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  event_store st({path});
  CHECK(search(path, "before").empty());  // stale rows are not trusted by readers either
  st.add_events(lines(0, 10, now_ns, "after"));
  st.commit();
  CHECK(st.index_text(1000) == 10);
  CHECK(search(path, "after").size() == 10);
  CHECK(search(path, "before").empty());
}

TEST_CASE("a file at the index's path that is not an index is refused, not emptied") {
  temp_dir dir;
  const auto path = dir.file("stray.db");
  {
    sqlite_db other(text_index_path(path));
    other.exec("CREATE TABLE precious(x); INSERT INTO precious VALUES(42);");
  }
  try {
    event_store st({path});
    FAIL("opened");
  } catch (const store_error& e) {
    CHECK(std::string(e.what()).find("is not a seerflow full-text index") != std::string::npos);
  }
  sqlite_db other(text_index_path(path));
  CHECK(other.query_int64("SELECT x FROM precious") == 42);
}

TEST_CASE("without an index file, a reader attaches nothing and sees no parts") {
  temp_dir dir;
  const auto path = dir.file("none.db");
  {
    store_options o{path};
    o.text_index = false;
    event_store st(o);
    st.add_events(lines(0, 3, now_ns, "x"));
    st.commit();
  }
  CHECK_FALSE(std::filesystem::exists(text_index_path(path)));
  sqlite_db db(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, 0);
  CHECK_FALSE(attach_text_index(db));
  const auto v = text_index_view::read(db);
  CHECK(v.tables.empty());
  CHECK(v.indexed_through == 0);
}

TEST_CASE("parts grow with the store, so a search runs a bounded number of MATCHes") {
  temp_dir dir;
  const auto path = dir.file("grow.db");
  store_options o{path};
  o.text.index.part_rows = 100;
  o.text.index.max_part_rows = 100000;
  event_store st(o);
  for (int b = 0; b < 20; ++b) {
    st.add_events(lines(b * 1000, 1000, now_ns, "grow"));
    st.commit();
    st.index_text(1000);
  }
  sqlite_db idx(text_index_path(path));
  const auto parts = idx.query_int64("SELECT count(*) FROM fts_parts");
  INFO(parts << " parts");
  // Fixed parts of 100 would be 200; a quarter of the span each makes them grow by 1.25 times
  // from one to the next: about 4.5 per doubling of the store, some twenty-five here.
  CHECK(parts < 40);
  CHECK(idx.query_int64("SELECT count(*) FROM fts_parts AS a JOIN fts_parts AS b ON b.number = "
                        "a.number + 1 WHERE b.capacity < a.capacity") == 0);
  CHECK(idx.query_int64("SELECT max(capacity) FROM fts_parts") > 1000);
  CHECK(search(path, "grow").size() == 20000);
}
