// Schema migrations: a fresh file reaches the newest version, re-opening changes nothing, and
// files this build must not touch (newer, not SQLite, another application's) are refused
// with a message that says what to do.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>

#include "runtime/store/event_store.hpp"
#include "runtime/store/migrations.hpp"
#include "runtime/store/store_error.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace seerflow::store;
using seerflow::store::test::temp_dir;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string thrown_message(const std::function<void()>& f, int* code = nullptr) {
  try {
    f();
  } catch (const store_error& e) {
    if (code) *code = e.code();
    return e.what();
  }
  return "<nothing thrown>";
}

}  // namespace

TEST_CASE("migrations are numbered from 1 without gaps") {
  const auto all = schema_migrations();
  REQUIRE(!all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].version == static_cast<int>(i) + 1);
    CHECK(!all[i].name.empty());
    CHECK(!all[i].sql.empty());
  }
  CHECK(latest_schema_version() == static_cast<int>(all.size()));
}

TEST_CASE("a fresh database is migrated to the newest version") {
  temp_dir dir;
  sqlite_db db(dir.file("fresh.db"));
  CHECK(migrate(db) == latest_schema_version());
  CHECK(db.query_int64("PRAGMA user_version") == latest_schema_version());
  CHECK(db.query_int64("PRAGMA application_id") == application_id);
  CHECK(db.query_int64("SELECT count(*) FROM schema_migrations") == latest_schema_version());
  CHECK(db.query_text("SELECT name FROM schema_migrations WHERE version = 1") ==
        "events, entities, templates, rejected");
  CHECK(db.query_int64("SELECT applied_at_ns FROM schema_migrations WHERE version = 1") >
        1'600'000'000'000'000'000);

  auto objects = db.prepare(
      "SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1");
  std::vector<std::string> names;
  while (objects.step()) names.emplace_back(objects.column_text(0));
  CHECK(names == std::vector<std::string>{"index actor_snapshots_node",
                                          "index actor_snapshots_saved",
                                          "index alert_deliveries_alert",
                                          "index alert_tactics_tactic",
                                          "index alert_techniques_technique",
                                          "index alert_verdicts_alert",
                                          "index alerts_rule",
                                          "index alerts_time",
                                          "index entities_value",
                                          "index entity_postings_key",
                                          "index entity_postings_last",
                                          "index events_time",
                                          "index graph_edges_from_value",
                                          "index graph_edges_to",
                                          "index graph_edges_to_value",
                                          "index pending_deliveries_due",
                                          "index rejected_reason",
                                          "table actor_snapshots",
                                          "table alert_deliveries",
                                          "table alert_tactics",
                                          "table alert_techniques",
                                          "table alert_verdicts",
                                          "table alerts",
                                          "table entities",
                                          "table entity_journal",
                                          "table entity_postings",
                                          "table events",
                                          "table graph_edges",
                                          "table model_state",
                                          "table pending_deliveries",
                                          "table rejected",
                                          "table rule_state",
                                          "table schema_migrations",
                                          "table store_meta",
                                          "table tail_offsets",
                                          "table templates",
                                          "view entities_all",
                                          "view event_entities"});
  CHECK(db.query_int64("SELECT value FROM store_meta WHERE name = 'folded_through_event_id'") == 0);
  // Ties the full-text index's file to this database (text_index.hpp).
  CHECK(db.query_text("SELECT value FROM store_meta WHERE name = 'store_uid'").size() == 32);
}

TEST_CASE("migrating again changes nothing") {
  temp_dir dir;
  const auto path = dir.file("again.db");
  std::int64_t applied = 0;
  {
    sqlite_db db(path);
    migrate(db);
    applied = db.query_int64("SELECT applied_at_ns FROM schema_migrations WHERE version = 1");
  }
  {
    sqlite_db db(path);
    CHECK(check_schema(db) == latest_schema_version());
    CHECK(migrate(db) == latest_schema_version());
    CHECK(db.query_int64("SELECT count(*) FROM schema_migrations") == latest_schema_version());
    CHECK(db.query_int64("SELECT applied_at_ns FROM schema_migrations WHERE version = 1") ==
          applied);
  }
  for (int i = 0; i < 2; ++i) {
    event_store st({path});
    CHECK(st.schema_version() == latest_schema_version());
  }
  sqlite_db db(path);
  CHECK(db.query_int64("SELECT count(*) FROM schema_migrations") == latest_schema_version());
  CHECK(db.query_text("PRAGMA journal_mode") == "wal");
}

TEST_CASE("a database newer than this build is refused and left alone") {
  temp_dir dir;
  const auto path = dir.file("newer.db");
  {
    sqlite_db db(path);
    migrate(db);
    db.exec("PRAGMA user_version = " + std::to_string(latest_schema_version() + 1));
  }
  const std::string before = read_file(path);
  int code = 0;
  CHECK(thrown_message([&] { event_store st({path}); }, &code) ==
        "database " + path + " has schema version " + std::to_string(latest_schema_version() + 1) +
            ", newer than this build of seerflow supports (" +
            std::to_string(latest_schema_version()) +
            "); use a "
            "newer seerflow or another storage.path");
  CHECK(code == SQLITE_ERROR);
  CHECK(read_file(path) == before);
  sqlite_db db(path);
  CHECK(db.query_text("PRAGMA journal_mode") == "delete");  // not switched to WAL either
  CHECK_THROWS_AS(migrate(db), store_error);

  SECTION("even one that only carries the version") {
    const auto bare = dir.file("bare.db");
    {
      sqlite_db b(bare);
      b.exec("PRAGMA user_version = 99");
    }
    CHECK(thrown_message([&] { event_store st({bare}); }) ==
          "database " + bare +
              " has schema version 99, newer than this build of seerflow supports (" +
              std::to_string(latest_schema_version()) +
              "); use a "
              "newer seerflow or another storage.path");
  }
}

TEST_CASE("a file that is not a SQLite database is refused and left alone") {
  temp_dir dir;
  const auto path = dir.file("notes.txt");
  std::string text;
  for (int i = 0; i < 100; ++i) text += "this is a text file, line " + std::to_string(i) + "\n";
  std::ofstream(path, std::ios::binary) << text;
  int code = 0;
  CHECK(thrown_message([&] { event_store st({path}); }, &code) ==
        "database " + path +
            " is not a SQLite database (file is not a database); use another storage.path");
  CHECK((code & 0xff) == SQLITE_NOTADB);
  CHECK(read_file(path) == text);

  SECTION("even a short one") {
    const auto tiny = dir.file("tiny.bin");
    std::ofstream(tiny, std::ios::binary) << "GIF89a\x01\x02";
    CHECK(thrown_message([&] { sqlite_db db(tiny); }) ==
          "database " + tiny +
              " is not a SQLite database (file is not a database); use another storage.path");
  }
}

TEST_CASE("another application's SQLite database is refused") {
  temp_dir dir;
  SECTION("tables but no schema version") {
    const auto path = dir.file("other.db");
    {
      sqlite_db db(path);
      db.exec("CREATE TABLE events(x); INSERT INTO events VALUES(1);");
    }
    CHECK(thrown_message([&] { event_store st({path}); }) ==
          "database " + path +
              " is not a seerflow database (it belongs to another application); use another "
              "storage.path");
    sqlite_db db(path);
    CHECK(db.query_int64("SELECT count(*) FROM sqlite_master") == 1);
  }
  SECTION("another application id") {
    const auto path = dir.file("app.db");
    {
      sqlite_db db(path);
      db.exec("PRAGMA application_id = 1234");
    }
    CHECK_THROWS_WITH(event_store({path}), Catch::Contains("is not a seerflow database"));
  }
  SECTION("a schema version but not our application id") {
    const auto path = dir.file("versioned.db");
    {
      sqlite_db db(path);
      db.exec("PRAGMA user_version = 1");
    }
    CHECK_THROWS_WITH(event_store({path}), Catch::Contains("is not a seerflow database"));
  }
}

TEST_CASE("an empty file is a new database") {
  temp_dir dir;
  const auto path = dir.file("empty.db");
  std::ofstream(path, std::ios::binary).flush();
  event_store st({path});
  CHECK(st.schema_version() == latest_schema_version());
}

TEST_CASE("bad options are refused before the file is touched") {
  temp_dir dir;
  const auto path = dir.file("never.db");
  CHECK(thrown_message([&] {
          event_store st({path, "sometimes"});
        }) == "storage.synchronous must be off, normal, full or extra, not 'sometimes'");
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK(thrown_message([&] { event_store st({""}); }) == "storage.path is empty");
  int code = 0;
  const auto missing = dir.file("no/such/dir/x.db");
  CHECK(thrown_message([&] { event_store st({missing}); }, &code) ==
        "cannot open database " + missing +
            ": unable to open database file (does its directory exist, and is it writable?)");
  CHECK((code & 0xff) == SQLITE_CANTOPEN);
  for (const char* ok : {"off", "NORMAL", "full", "extra"}) {
    event_store st({dir.file(std::string("sync-") + ok + ".db"), ok});
    CHECK(st.schema_version() == latest_schema_version());
  }
}
