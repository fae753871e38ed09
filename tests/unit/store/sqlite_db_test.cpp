// The RAII wrapper: typed binds and getters, borrowed and copied text, errors that say which
// statement failed and leave it reusable, and refusals of misuse.
#include <catch2/catch.hpp>
#include <string>

#include "runtime/store/sqlite_db.hpp"
#include "runtime/store/store_error.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace seerflow::store;
using seerflow::store::test::temp_dir;

TEST_CASE("binds and column getters round-trip every type") {
  sqlite_db db(":memory:");
  db.exec("CREATE TABLE t(i INTEGER, d REAL, s TEXT, b BLOB, n)");
  auto ins = db.prepare("INSERT INTO t VALUES(?1, ?2, ?3, ?4, ?5)");
  std::string text = "h\xc3\xa9llo";
  const std::string blob("\x00\xff\x01", 3);
  ins.bind_int64(1, INT64_MIN);
  ins.bind_double(2, -2.5);
  ins.bind_text(3, text, lifetime::borrowed);
  ins.bind_blob(4, blob);
  ins.bind_null(5);
  ins.run();
  // Copied text may change after the bind; borrowed text must not until the step.
  std::string scratch = "copied";
  ins.bind_text(3, scratch, lifetime::copy);
  scratch = "changed";
  ins.bind_int64(1, INT64_MAX);
  ins.bind_text(4, "");
  ins.run();

  auto q = db.prepare("SELECT i, d, s, b, n, typeof(b) FROM t ORDER BY rowid");
  CHECK(q.column_count() == 6);
  REQUIRE(q.step());
  CHECK(q.column_int64(0) == INT64_MIN);
  CHECK(q.column_double(1) == -2.5);
  CHECK(q.column_text(2) == text);
  CHECK(q.column_blob(3) == blob);
  CHECK(q.column_is_null(4));
  CHECK(q.column_type(0) == SQLITE_INTEGER);
  REQUIRE(q.step());
  CHECK(q.column_int64(0) == INT64_MAX);
  CHECK(q.column_text(2) == "copied");
  CHECK(q.column_text(3) == "");
  CHECK(q.column_text(5) == "text");  // empty text stays text, not NULL
  CHECK_FALSE(q.step());
  q.reset();
  CHECK(q.step());
  CHECK(db.query_int64("SELECT count(*) FROM t") == 2);
  CHECK(db.query_text("SELECT s FROM t WHERE i > 0") == "copied");
  CHECK(db.query_int64("SELECT i FROM t WHERE 0") == 0);
}

TEST_CASE("errors name the statement and leave it reusable") {
  sqlite_db db(":memory:");
  db.exec("CREATE TABLE u(k INTEGER PRIMARY KEY, v TEXT NOT NULL)");
  auto ins = db.prepare("INSERT INTO u(k, v) VALUES(?1, ?2)");
  ins.bind_int64(1, 1);
  ins.bind_text(2, "a");
  ins.run();
  try {
    ins.run();  // same key again
    FAIL("expected a constraint error");
  } catch (const store_error& e) {
    CHECK(e.code() == SQLITE_CONSTRAINT_PRIMARYKEY);
    CHECK(e.primary_code() == SQLITE_CONSTRAINT);
    CHECK(std::string(e.what()) ==
          "`INSERT INTO u(k, v) VALUES(?1, ?2)` failed: UNIQUE constraint failed: u.k");
  }
  ins.bind_int64(1, 2);
  ins.run();
  CHECK(db.query_int64("SELECT count(*) FROM u") == 2);

  CHECK_THROWS_WITH(db.prepare("SELEKT 1"),
                    "cannot prepare `SELEKT 1`: near \"SELEKT\": syntax error");
  CHECK_THROWS_WITH(db.prepare("SELECT 1; SELECT 2"),
                    "prepare takes one statement; use exec for several: `SELECT 1; SELECT 2`");
  CHECK_NOTHROW(db.prepare("SELECT 1;  \n"));
  CHECK_THROWS_WITH(ins.bind_int64(9, 1), Catch::Contains("cannot bind parameter 9"));
  CHECK_THROWS_WITH(db.exec("CREATE TABLE u(x)"),
                    "`CREATE TABLE u(x)` failed on :memory:: "
                    "table u already exists");
}

TEST_CASE("a closed or moved-from database refuses politely") {
  temp_dir dir;
  sqlite_db a(dir.file("a.db"));
  sqlite_db b(std::move(a));
  CHECK(b.is_open());
  CHECK_FALSE(a.is_open());
  CHECK(b.path() == dir.file("a.db"));
  CHECK_THROWS_AS(a.exec("SELECT 1"), store_error);
  CHECK_THROWS_AS(a.query_int64("SELECT 1"), store_error);
  b.close();
  CHECK_FALSE(b.is_open());
  CHECK_FALSE(b.in_transaction());
  CHECK_THROWS_WITH(b.exec("SELECT 1"), "exec on a closed database");
}

TEST_CASE("a read-only connection cannot write") {
  temp_dir dir;
  const auto path = dir.file("ro.db");
  {
    sqlite_db rw(path);
    rw.exec("CREATE TABLE t(x)");
  }
  sqlite_db ro(path, SQLITE_OPEN_READONLY, 0);
  try {
    ro.exec("INSERT INTO t VALUES(1)");
    FAIL("expected a read-only error");
  } catch (const store_error& e) {
    CHECK(e.primary_code() == SQLITE_READONLY);
  }
}
