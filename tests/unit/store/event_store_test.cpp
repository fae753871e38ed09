// The event store: every field round-trips (absent values as NULL, params and fields as valid
// JSON), entity and template aggregates add up across commits and folds, links are answered
// by the event_entities view before and after a fold, ids continue across re-opens, failures
// roll back everything of their transaction, and readers are never blocked.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "runtime/store/event_store.hpp"
#include "runtime/store/store_error.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace seerflow;
using namespace seerflow::store;
using store::test::key_of;
using store::test::make_entity;
using store::test::make_event;
using store::test::open_reader;
using store::test::temp_dir;

namespace {

std::vector<std::int64_t> ints(const sqlite_db& db, std::string_view sql, std::int64_t arg = 0) {
  auto q = db.prepare(sql, false);
  if (sqlite3_bind_parameter_count(q.handle()) > 0) q.bind_int64(1, arg);
  std::vector<std::int64_t> out;
  while (q.step()) out.push_back(q.column_int64(0));
  return out;
}

std::vector<std::string> texts(const sqlite_db& db, std::string_view sql) {
  auto q = db.prepare(sql, false);
  std::vector<std::string> out;
  while (q.step())
    out.emplace_back(q.column_is_null(0) ? std::string("<null>") : std::string(q.column_text(0)));
  return out;
}

// Options that never fold on their own, so a test decides when folds happen.
store_options manual_fold(std::string path) {
  store_options o{std::move(path)};
  o.fold_links = std::size_t(1) << 40;
  o.fold_interval_ms = 3'600'000;
  return o;
}

// Fault injection through the schema, from a second connection: while the flag is set, every
// posting insert (the fold's writes) aborts.
void fail_posting_writes(const std::string& path) {
  sqlite_db side(path);
  side.exec(
      "CREATE TABLE fail_flag(x); INSERT INTO fail_flag VALUES(1);"
      "CREATE TRIGGER fail_postings BEFORE INSERT ON entity_postings "
      "WHEN (SELECT count(*) FROM fail_flag) > 0 BEGIN SELECT RAISE(ABORT, 'no room'); END");
}

void allow_posting_writes(const std::string& path) {
  sqlite_db side(path);
  side.exec("DELETE FROM fail_flag");
}

const auto ip_a = make_entity(model::entity_type::ip, "10.0.0.1", 1);
const auto ip_b = make_entity(model::entity_type::ip, "10.0.0.2", 2);
const auto user_c = make_entity(model::entity_type::user, "alice", 3);

}  // namespace

TEST_CASE("every field of an event round-trips") {
  temp_dir dir;
  const auto path = dir.file("fields.db");
  model::event e;
  e.seq = 42;
  e.time_ns = 1'700'000'000'123'456'789;
  e.arrival_ns = 1'700'000'000'223'456'789;
  e.time_from_log = true;
  e.facility = 4;
  e.severity = 3;
  e.source = "auth-log";
  e.peer = "10.1.0.1:514";
  e.host = "bastion-01";
  e.app = "sshd";
  e.procid = "4711";
  e.msgid = "ID47";
  e.message = "Failed password for \xc3\xa9milie from 10.0.0.1 \xe2\x9c\x93 \xf0\x9f\x9a\x80";
  e.fields = {{"origin.ip", "10.1.0.1"}, {"quote\"key", "back\\slash\ttab"}};
  e.template_id = 0xfedcba9876543210ULL;  // above INT64_MAX: stored with the same bits
  e.template_text = "Failed password for <*> from <*> \xe2\x9c\x93 \xf0\x9f\x9a\x80";
  e.params = {"\xc3\xa9milie", "10.0.0.1", "say \"hi\"\n", std::string("nul\0ctl\x01", 8)};
  e.entities = {ip_a, user_c};
  {
    event_store st(manual_fold(path));
    st.add_events({e});
    CHECK(st.pending_rows() == 4);  // the event, two new entities, one template
    CHECK(st.commit() == 4);
  }
  auto db = open_reader(path);
  auto q = db.prepare(
      "SELECT id, source, seq, time_ns, arrival_ns, time_from_log, facility, severity, host, app, "
      "procid, msgid, message, template_id, params, fields, entity_keys, "
      "json_valid(params), json_valid(fields), typeof(template_id) FROM events");
  REQUIRE(q.step());
  CHECK(q.column_int64(0) == 1);
  CHECK(q.column_text(1) == "auth-log");
  CHECK(q.column_int64(2) == 42);
  CHECK(q.column_int64(3) == 1'700'000'000'123'456'789);
  CHECK(q.column_int64(4) == 1'700'000'000'223'456'789);
  CHECK(q.column_int64(5) == 1);
  CHECK(q.column_int64(6) == 4);
  CHECK(q.column_int64(7) == 3);
  CHECK(q.column_text(8) == "bastion-01");
  CHECK(q.column_text(9) == "sshd");
  CHECK(q.column_text(10) == "4711");
  CHECK(q.column_text(11) == "ID47");
  CHECK(q.column_text(12) == e.message);
  CHECK(static_cast<std::uint64_t>(q.column_int64(13)) == 0xfedcba9876543210ULL);
  CHECK(q.column_text(14) ==
        "[\"\xc3\xa9milie\",\"10.0.0.1\",\"say \\\"hi\\\"\\n\",\"nul\\u0000ctl\\u0001\"]");
  CHECK(q.column_text(15) == R"({"origin.ip":"10.1.0.1","quote\"key":"back\\slash\ttab"})");
  CHECK(q.column_text(16) ==
        "[" + std::to_string(key_of(ip_a)) + "," + std::to_string(key_of(user_c)) + "]");
  CHECK(q.column_int64(17) == 1);
  CHECK(q.column_int64(18) == 1);
  CHECK(q.column_text(19) == "integer");
  CHECK_FALSE(q.step());

  // SQLite's own JSON reading gives back what went in (its JSON functions end a string at
  // an escaped NUL, so the last parameter reads back shortened; the stored text is exact).
  CHECK(texts(db, "SELECT value FROM events, json_each(events.params)") ==
        std::vector<std::string>{"\xc3\xa9milie", "10.0.0.1", "say \"hi\"\n", "nul"});
  CHECK(texts(db, "SELECT key || '=' || value FROM events, json_each(events.fields)") ==
        std::vector<std::string>{"origin.ip=10.1.0.1", "quote\"key=back\\slash\ttab"});
  CHECK(texts(db, "SELECT template FROM templates") == std::vector<std::string>{e.template_text});
  CHECK(ints(db, "SELECT template_id FROM templates") ==
        std::vector<std::int64_t>{static_cast<std::int64_t>(0xfedcba9876543210ULL)});
}

TEST_CASE("absent values are stored as NULL") {
  temp_dir dir;
  const auto path = dir.file("absent.db");
  model::event e;  // empty strings, -1 codes, no seq, no arrival, no template, nothing else
  e.time_ns = 5;
  {
    event_store st({path});
    st.add_events({e});
    CHECK(st.commit() == 1);
  }
  auto db = open_reader(path);
  CHECK(texts(db,
              "SELECT quote(source) || quote(seq) || quote(arrival_ns) || quote(facility) || "
              "quote(severity) || quote(host) || quote(app) || quote(procid) || quote(msgid) || "
              "quote(message) || quote(template_id) || quote(params) || quote(fields) || "
              "quote(entity_keys) FROM events") ==
        std::vector<std::string>{"NULLNULLNULLNULLNULLNULLNULLNULLNULLNULLNULLNULLNULLNULL"});
  CHECK(ints(db, "SELECT time_ns * 10 + time_from_log FROM events") ==
        std::vector<std::int64_t>{50});
  CHECK(ints(db, "SELECT count(*) FROM templates") == std::vector<std::int64_t>{0});
  CHECK(ints(db, "SELECT count(*) FROM entities") == std::vector<std::int64_t>{0});
}

TEST_CASE("invalid UTF-8 in params and fields still gives valid JSON") {
  temp_dir dir;
  const auto path = dir.file("utf8.db");
  auto e = make_event(1, "m");
  e.params = {"ok\xff\xfe", "\xc3"};
  e.fields = {{"k\x80", "\xed\xa0\x80"}};  // a lone continuation byte, an encoded surrogate
  {
    event_store st({path});
    st.add_events({e});
    st.commit();
  }
  auto db = open_reader(path);
  CHECK(texts(db, "SELECT params FROM events") ==
        std::vector<std::string>{"[\"ok\xef\xbf\xbd\xef\xbf\xbd\",\"\xef\xbf\xbd\"]"});
  CHECK(ints(db, "SELECT json_valid(params) + json_valid(fields) FROM events") ==
        std::vector<std::int64_t>{2});
}

TEST_CASE("entities and templates add up across commits and folds") {
  temp_dir dir;
  const auto path = dir.file("aggregates.db");
  const std::uint64_t tid = 77;
  event_store st(manual_fold(path));

  st.add_events({make_event(300, "a1", {ip_a}, tid, "login <*>"),
                 make_event(100, "a2", {ip_a, ip_b}, tid, "login <*>")});
  CHECK(st.commit() == 5);  // two events, two new entities, one template
  st.add_events({make_event(400, "a3", {ip_a}, tid, "login <*> from <*>"),
                 make_event(50, "a4", {ip_a, ip_a, user_c}, 0)});  // ip_a twice: one link
  CHECK(st.commit() == 4);  // two events, one new entity, one template

  auto db = open_reader(path);
  // New entities are visible from their first commit (in the journal, through entities_all);
  // the entities table and the counts arrive with the fold.
  CHECK(texts(db,
              "SELECT type || ' ' || value || ' ' || first_seen_ns || ' ' || last_seen_ns || "
              "' ' || event_count FROM entities_all ORDER BY value") ==
        std::vector<std::string>{"ip 10.0.0.1 100 300 0", "ip 10.0.0.2 100 100 0",
                                 "user alice 50 50 0"});
  CHECK(ints(db, "SELECT count(*) FROM entities") == std::vector<std::int64_t>{0});
  CHECK(st.unfolded_links() == 6);
  CHECK(st.fold() > 0);
  CHECK(st.unfolded_links() == 0);
  CHECK(texts(db,
              "SELECT type || ' ' || value || ' ' || first_seen_ns || ' ' || last_seen_ns || "
              "' ' || event_count FROM entities ORDER BY value") ==
        std::vector<std::string>{"ip 10.0.0.1 50 400 4", "ip 10.0.0.2 100 100 1",
                                 "user alice 50 50 1"});
  CHECK(texts(db, "SELECT uuid FROM entities WHERE value = 'alice'") ==
        std::vector<std::string>{"33343536-3738-393a-3b3c-3d3e3f404142"});
  CHECK(ints(db, "SELECT entity_key FROM entities WHERE value = 'alice'") ==
        std::vector<std::int64_t>{key_of(user_c)});
  CHECK(texts(db,
              "SELECT source || ' ' || template || ' ' || first_seen_ns || ' ' || last_seen_ns || "
              "' ' || event_count FROM templates") ==
        std::vector<std::string>{"test login <*> from <*> 100 400 3"});

  // A later fold adds to what is there, and an event without template text keeps the text.
  st.add_events({make_event(20, "a5", {ip_b}, tid, ""), make_event(900, "a6", {ip_b}, tid, "")});
  st.commit();
  st.fold();
  CHECK(texts(db,
              "SELECT value || ' ' || first_seen_ns || ' ' || last_seen_ns || ' ' || "
              "event_count FROM entities WHERE value = '10.0.0.2'") ==
        std::vector<std::string>{"10.0.0.2 20 900 3"});
  CHECK(texts(db,
              "SELECT template || ' ' || first_seen_ns || ' ' || last_seen_ns || ' ' || "
              "event_count FROM templates") ==
        std::vector<std::string>{"login <*> from <*> 20 900 5"});

  const auto& t = st.totals();
  CHECK(t.events == 6);
  CHECK(t.links == 8);
  CHECK(t.templates_upserted == 3);
  CHECK(t.commits == 5);  // three with events, two for the explicit folds
  CHECK(t.folds == 2);
  CHECK(t.entities_upserted == 3 + 3 + 1);  // three inserts, then the folds' updates
}

TEST_CASE("links are answered by the event_entities view before and after a fold") {
  temp_dir dir;
  const auto path = dir.file("links.db");
  event_store st(manual_fold(path));
  st.add_events({make_event(1, "e1", {ip_a, ip_b}), make_event(2, "e2", {ip_b}),
                 make_event(3, "e3", {}), make_event(4, "e4", {ip_a, user_c, ip_a})});
  st.commit();
  auto db = open_reader(path);
  const char* by_entity = "SELECT event_id FROM event_entities WHERE entity_key = ?1 ORDER BY 1";
  auto check_links = [&] {
    CHECK(ints(db, by_entity, key_of(ip_a)) == std::vector<std::int64_t>{1, 4});
    CHECK(ints(db, by_entity, key_of(ip_b)) == std::vector<std::int64_t>{1, 2});
    CHECK(ints(db, by_entity, key_of(user_c)) == std::vector<std::int64_t>{4});
    CHECK(ints(db, "SELECT count(*) FROM event_entities") == std::vector<std::int64_t>{5});
    // Entities of an event come from its row.
    CHECK(
        ints(
            db,
            "SELECT j.value FROM events, json_each(events.entity_keys) AS j WHERE events.id = 4") ==
        std::vector<std::int64_t>{key_of(ip_a), key_of(user_c)});
  };
  check_links();
  CHECK(ints(db, "SELECT count(*) FROM entity_postings") == std::vector<std::int64_t>{0});
  st.fold();
  check_links();
  CHECK(texts(db, "SELECT event_ids FROM entity_postings ORDER BY entity_key") == [&] {
    // One posting per entity, in key order.
    std::vector<std::pair<std::int64_t, std::string>> rows{
        {key_of(ip_a), "[1,4]"}, {key_of(ip_b), "[1,2]"}, {key_of(user_c), "[4]"}};
    std::sort(rows.begin(), rows.end());
    std::vector<std::string> out;
    for (auto& r : rows) out.push_back(r.second);
    return out;
  }());
  CHECK(ints(db, "SELECT value FROM store_meta WHERE name = 'folded_through_event_id'") ==
        std::vector<std::int64_t>{4});

  // New events after the fold show up through the view's unfolded half.
  st.add_events({make_event(5, "e5", {ip_a})});
  st.commit();
  CHECK(ints(db, by_entity, key_of(ip_a)) == std::vector<std::int64_t>{1, 4, 5});
}

TEST_CASE("postings grow in place while small, then split into bounded rows") {
  temp_dir dir;
  const auto path = dir.file("postings.db");
  event_store st(manual_fold(path));
  auto batch = [&](int n) {
    std::vector<model::event> v;
    for (int i = 0; i < n; ++i) v.push_back(make_event(i, "x", {ip_a}));
    st.add_events(v);
    st.commit();
    st.fold();
  };
  batch(3);
  batch(3);
  auto db = open_reader(path);
  CHECK(texts(db,
              "SELECT first_event_id || ' ' || last_event_id || ' ' || event_ids "
              "FROM entity_postings") == std::vector<std::string>{"1 6 [1,2,3,4,5,6]"});
  batch(500);
  const auto sizes = ints(db, "SELECT length(event_ids) FROM entity_postings");
  CHECK(sizes.size() > 2);
  for (auto s : sizes) CHECK(s < 900);
  // Every id once, in order, and each row's bounds match its ids.
  std::vector<std::int64_t> expect(506);
  for (int i = 0; i < 506; ++i) expect[i] = i + 1;
  CHECK(ints(db, "SELECT event_id FROM event_entities WHERE entity_key = ?1 ORDER BY 1",
             key_of(ip_a)) == expect);
  CHECK(ints(db,
             "SELECT j.value FROM entity_postings AS p, json_each(p.event_ids) AS j "
             "ORDER BY p.first_event_id, j.key") == expect);
  CHECK(ints(db,
             "SELECT count(*) FROM entity_postings WHERE first_event_id <> "
             "event_ids ->> '$[0]' OR last_event_id <> event_ids ->> '$[#-1]'") ==
        std::vector<std::int64_t>{0});
}

TEST_CASE("folds happen by link count and by age") {
  temp_dir dir;
  SECTION("count") {
    store_options o{dir.file("count.db")};
    o.fold_links = 4;
    o.fold_interval_ms = 3'600'000;
    event_store st(o);
    st.add_events({make_event(1, "x", {ip_a, ip_b}), make_event(2, "y", {ip_a})});
    st.commit();
    CHECK(st.unfolded_links() == 3);
    CHECK_FALSE(st.fold_due());
    st.add_events({make_event(3, "z", {ip_a})});
    CHECK(st.fold_due());
    st.commit();
    CHECK(st.unfolded_links() == 0);
    CHECK(st.totals().folds == 1);
  }
  SECTION("age") {
    store_options o{dir.file("age.db")};
    o.fold_interval_ms = 1;
    event_store st(o);
    st.add_events({make_event(1, "x", {ip_a})});
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    st.commit();
    CHECK(st.unfolded_links() == 0);
    CHECK(st.totals().folds == 1);
  }
  SECTION("an idle store folds when asked") {
    store_options o{dir.file("idle.db")};
    o.fold_interval_ms = 1;
    o.fold_links = 1000;
    event_store st(o);
    st.add_events({make_event(1, "x", {ip_a})});
    st.commit();  // may or may not fold, depending on how long the commit took
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    // journal merge + entity update + posting
    CHECK(st.commit() == (st.unfolded_links() ? 3u : 0u));
    CHECK(st.unfolded_links() == 0);
  }
}

TEST_CASE("rejected records keep their bytes") {
  temp_dir dir;
  const auto path = dir.file("rejected.db");
  const std::string bytes("\x00\x01\xff\xfe<13>bad\x00", 10);
  {
    event_store st({path});
    st.add_rejected({{"udp-514", "bad_pri", "PRI 999 is above 191", bytes, 123, "10.0.0.9:514"},
                     {"", "oversized", "", "", 0, ""}});
    CHECK(st.pending_rows() == 2);
    CHECK(st.commit() == 2);
    CHECK(st.totals().rejected == 2);
  }
  auto db = open_reader(path);
  auto q = db.prepare(
      "SELECT id, source, reason, detail, data, typeof(data), arrival_ns, peer "
      "FROM rejected ORDER BY id");
  REQUIRE(q.step());
  CHECK(q.column_int64(0) == 1);
  CHECK(q.column_text(1) == "udp-514");
  CHECK(q.column_text(2) == "bad_pri");
  CHECK(q.column_text(3) == "PRI 999 is above 191");
  CHECK(q.column_blob(4) == bytes);
  CHECK(q.column_text(5) == "blob");
  CHECK(q.column_int64(6) == 123);
  CHECK(q.column_text(7) == "10.0.0.9:514");
  REQUIRE(q.step());
  CHECK(q.column_text(2) == "oversized");
  for (int c : {1, 3, 4, 6, 7}) CHECK(q.column_is_null(c));
  CHECK_FALSE(q.step());
  CHECK(ints(db, "SELECT count(*) FROM rejected WHERE reason = 'bad_pri'") ==
        std::vector<std::int64_t>{1});
}

TEST_CASE("event ids continue across re-opens") {
  temp_dir dir;
  const auto path = dir.file("ids.db");
  {
    event_store st({path});
    CHECK(st.commit() == 0);  // nothing staged
    st.add_events({make_event(1, "a"), make_event(2, "b"), make_event(3, "c")});
    st.commit();
  }
  {
    event_store st({path});
    st.add_events({make_event(4, "d", {ip_a})});
    st.add_rejected({{"s", "r", "", "x", 1, ""}});
    st.add_events({make_event(5, "e")});
    CHECK(st.pending_rows() == 4);
    st.commit();
  }
  {
    event_store st({path});
    st.add_events({make_event(6, "f")});
  }  // destroyed with the transaction open: rolled back
  auto db = open_reader(path);
  CHECK(ints(db, "SELECT id FROM events ORDER BY id") == std::vector<std::int64_t>{1, 2, 3, 4, 5});
  CHECK(texts(db, "SELECT message FROM events ORDER BY id") ==
        std::vector<std::string>{"a", "b", "c", "d", "e"});
  // The destructor folded what was committed.
  CHECK(ints(db, "SELECT event_count FROM entities") == std::vector<std::int64_t>{1});
}

TEST_CASE("a failing commit rolls back its whole transaction") {
  temp_dir dir;
  const auto path = dir.file("fail-commit.db");
  event_store st(manual_fold(path));
  st.add_events({make_event(1, "kept", {ip_a}, 5, "t5")});
  st.commit();
  {
    // Fault injection through the schema: the template upsert inside commit() fails.
    sqlite_db side(path);
    side.exec(
        "CREATE TRIGGER fail_666 BEFORE INSERT ON templates WHEN NEW.template_id = 666 "
        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
  }
  st.add_events({make_event(2, "lost", {ip_b}, 5, "t5"), make_event(3, "lost", {ip_a}, 666, "x")});
  st.add_rejected({{"s", "lost", "", "", 1, ""}});
  try {
    st.commit();
    FAIL("commit should have thrown");
  } catch (const store_error& e) {
    CHECK(e.primary_code() == SQLITE_CONSTRAINT);
    CHECK(std::string(e.what()).find("injected failure") != std::string::npos);
  }
  CHECK(st.pending_rows() == 0);
  CHECK(st.unfolded_links() == 1);  // the committed event's link only

  // The store carries on: ids continue after the last committed event.
  st.add_events({make_event(4, "after", {ip_b}, 5, "t5")});
  CHECK(st.commit() == 3);  // event, new entity ip_b, template
  st.fold();
  auto db = open_reader(path);
  CHECK(texts(db, "SELECT id || ' ' || message FROM events ORDER BY id") ==
        std::vector<std::string>{"1 kept", "2 after"});
  CHECK(ints(db, "SELECT count(*) FROM rejected") == std::vector<std::int64_t>{0});
  CHECK(texts(db, "SELECT value || ' ' || event_count FROM entities ORDER BY value") ==
        std::vector<std::string>{"10.0.0.1 1", "10.0.0.2 1"});
  CHECK(ints(db, "SELECT event_count FROM templates") == std::vector<std::int64_t>{2});
  CHECK(st.totals().events == 2);
}

TEST_CASE("a failing insert rolls back everything staged since the last commit") {
  temp_dir dir;
  const auto path = dir.file("fail-add.db");
  event_store st(manual_fold(path));
  st.add_events({make_event(1, "committed", {ip_a})});
  st.commit();
  {
    sqlite_db side(path);
    side.exec(
        "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.message = 'boom' "
        "BEGIN SELECT RAISE(ABORT, 'boom refused'); END");
  }
  st.add_events({make_event(2, "staged", {ip_b})});
  CHECK(st.pending_rows() == 2);
  CHECK_THROWS_WITH(st.add_events({make_event(3, "fine"), make_event(4, "boom")}),
                    Catch::Contains("boom refused"));
  CHECK(st.pending_rows() == 0);
  CHECK(st.commit() == 0);
  st.add_events({make_event(5, "next", {ip_b})});
  st.commit();
  st.fold();
  auto db = open_reader(path);
  CHECK(texts(db, "SELECT id || ' ' || message FROM events ORDER BY id") ==
        std::vector<std::string>{"1 committed", "2 next"});
  CHECK(texts(db, "SELECT value || ' ' || event_count FROM entities ORDER BY value") ==
        std::vector<std::string>{"10.0.0.1 1", "10.0.0.2 1"});
}

TEST_CASE("a failing fold keeps its links for the next one") {
  temp_dir dir;
  const auto path = dir.file("fail-fold.db");
  event_store st(manual_fold(path));
  st.add_events({make_event(1, "a", {ip_a, ip_b}), make_event(2, "b", {ip_a})});
  st.commit();
  fail_posting_writes(path);
  CHECK_THROWS_AS(st.fold(), store_error);
  CHECK(st.unfolded_links() == 3);
  allow_posting_writes(path);
  st.fold();
  CHECK(st.unfolded_links() == 0);
  auto db = open_reader(path);
  CHECK(texts(db, "SELECT value || ' ' || event_count FROM entities ORDER BY value") ==
        std::vector<std::string>{"10.0.0.1 2", "10.0.0.2 1"});
  CHECK(ints(db, "SELECT count(*) FROM event_entities") == std::vector<std::int64_t>{3});
}

TEST_CASE("failed folds and rolled-back inserts leave waiting links' counts and times exact") {
  temp_dir dir;
  const auto path = dir.file("fail-fold-commit.db");
  event_store st(manual_fold(path));
  st.add_events({make_event(100, "a", {ip_a}), make_event(200, "b", {ip_a, ip_b})});
  st.commit();
  fail_posting_writes(path);
  // An earlier and a later time for ip_a and a new entity: fold() commits them, then its fold
  // fails, twice. They must count once the fold succeeds, and the failed folds count nothing.
  st.add_events({make_event(10, "early", {ip_a, user_c}), make_event(900, "late", {ip_a})});
  CHECK(st.unfolded_links() == 6);
  CHECK_THROWS_AS(st.fold(), store_error);  // commits the staged events, then fails to fold
  CHECK(st.unfolded_links() == 6);          // the commit went through; the fold did not
  CHECK_THROWS_AS(st.fold(), store_error);
  allow_posting_writes(path);
  {
    sqlite_db side(path);
    side.exec(
        "CREATE TRIGGER fail_c BEFORE INSERT ON events WHEN NEW.message = 'boom' "
        "BEGIN SELECT RAISE(ABORT, 'boom refused'); END");
  }
  // A failed insert rolls back the events staged before it ("c" too), and their links.
  st.add_events({make_event(300, "c", {ip_b})});
  CHECK_THROWS(st.add_events({make_event(5, "boom", {ip_b})}));
  CHECK(st.unfolded_links() == 6);  // the rolled-back events' links went, the committed stay
  st.add_events({make_event(400, "d", {ip_b})});
  st.fold();
  CHECK(st.unfolded_links() == 0);
  auto db = open_reader(path);
  CHECK(texts(db,
              "SELECT value || ' ' || event_count || ' ' || first_seen_ns || ' ' || "
              "last_seen_ns FROM entities ORDER BY value") ==
        std::vector<std::string>{"10.0.0.1 4 10 900", "10.0.0.2 2 200 400", "alice 1 10 10"});
  CHECK(ints(db, "SELECT count(*) FROM event_entities") == std::vector<std::int64_t>{7});
}

TEST_CASE("a commit whose fold fails rolls back its own links only") {
  temp_dir dir;
  const auto path = dir.file("fail-fold-in-commit.db");
  store_options o = manual_fold(path);
  o.fold_links = 6;  // the second commit reaches it and folds in its own transaction
  event_store st(o);
  st.add_events({make_event(100, "a", {ip_a}), make_event(200, "b", {ip_a, ip_b})});
  st.commit();
  fail_posting_writes(path);
  st.add_events({make_event(10, "early", {ip_a, user_c}), make_event(900, "late", {ip_a})});
  CHECK(st.fold_due());
  CHECK_THROWS_AS(st.commit(), store_error);  // the fold fails: the whole transaction goes
  CHECK(st.unfolded_links() == 3);
  allow_posting_writes(path);
  st.fold();
  auto db = open_reader(path);
  CHECK(texts(db, "SELECT message FROM events ORDER BY id") == std::vector<std::string>{"a", "b"});
  CHECK(texts(db,
              "SELECT value || ' ' || event_count || ' ' || first_seen_ns || ' ' || "
              "last_seen_ns FROM entities ORDER BY value") ==
        std::vector<std::string>{"10.0.0.1 2 100 200", "10.0.0.2 1 200 200"});
}

TEST_CASE("readers are never blocked by the writer") {
  temp_dir dir;
  const auto path = dir.file("readers.db");
  event_store st(manual_fold(path));
  st.add_events({make_event(1, "one")});
  st.commit();

  auto reader = open_reader(path);  // busy timeout 0: a lock would fail at once
  st.add_events({make_event(2, "two"), make_event(3, "three")});  // write transaction open
  CHECK(reader.query_int64("SELECT count(*) FROM events") == 1);

  reader.exec("BEGIN");  // a long-running read transaction, as a CLI user might hold
  CHECK(reader.query_int64("SELECT count(*) FROM events") == 1);
  st.commit();  // the writer does not wait for the reader...
  st.add_events({make_event(4, "four")});
  st.commit();
  CHECK(reader.query_int64("SELECT count(*) FROM events") == 1);  // ...whose snapshot holds
  reader.exec("COMMIT");
  CHECK(reader.query_int64("SELECT count(*) FROM events") == 4);
}

TEST_CASE("events written by another connection are folded too") {
  temp_dir dir;
  const auto path = dir.file("external.db");
  event_store st(manual_fold(path));
  st.add_events({make_event(1, "ours", {ip_a})});
  st.commit();
  {
    sqlite_db side(path);
    auto ins = side.prepare(
        "INSERT INTO events(id, time_ns, time_from_log, message, entity_keys) "
        "VALUES(2, 7, 0, 'imported', ?1)",
        false);
    ins.bind_text(1, "[" + std::to_string(key_of(ip_a)) + "]");
    ins.run();
  }
  st.add_events({make_event(3, "ours again", {ip_a})});
  st.commit();
  st.fold();
  auto db = open_reader(path);
  CHECK(ints(db, "SELECT id FROM events ORDER BY id") == std::vector<std::int64_t>{1, 2, 3});
  CHECK(ints(db, "SELECT event_count FROM entities") == std::vector<std::int64_t>{3});
  CHECK(ints(db, "SELECT event_id FROM event_entities ORDER BY 1") ==
        std::vector<std::int64_t>{1, 2, 3});
}

TEST_CASE("large batches round-trip like single events") {
  temp_dir dir;
  const auto path = dir.file("batch.db");
  // 150 events: two full multi-row inserts (64 rows each) and 22 single ones.
  std::vector<model::event> batch;
  for (int i = 0; i < 150; ++i) {
    auto e = make_event(
        1000 + i, "message " + std::to_string(i),
        i % 3 == 0 ? std::vector<model::entity_ref>{ip_a} : std::vector<model::entity_ref>{},
        i % 2 ? 9 : 0, i % 2 ? "tpl" : "");
    e.seq = static_cast<std::uint64_t>(i % 4);  // 0 is stored as NULL
    e.host = i % 5 ? "h" + std::to_string(i) : "";
    if (i % 7 == 0) e.params = {"p" + std::to_string(i)};
    batch.push_back(std::move(e));
  }
  {
    event_store st({path});
    st.add_events(batch);
    CHECK(st.commit() == 150 + 1 + 1);
  }
  auto db = open_reader(path);
  auto q = db.prepare(
      "SELECT id, message, time_ns, quote(seq), quote(host), quote(params), quote(template_id), "
      "quote(entity_keys) FROM events ORDER BY id");
  for (int i = 0; i < 150; ++i) {
    INFO("event " << i);
    REQUIRE(q.step());
    CHECK(q.column_int64(0) == i + 1);
    CHECK(q.column_text(1) == "message " + std::to_string(i));
    CHECK(q.column_int64(2) == 1000 + i);
    CHECK(q.column_text(3) == (i % 4 ? std::to_string(i % 4) : "NULL"));
    CHECK(q.column_text(4) == (i % 5 ? "'h" + std::to_string(i) + "'" : "NULL"));
    CHECK(q.column_text(5) == (i % 7 ? "NULL" : "'[\"p" + std::to_string(i) + "\"]'"));
    CHECK(q.column_text(6) == (i % 2 ? "9" : "NULL"));
    CHECK(q.column_text(7) == (i % 3 ? "NULL" : "'[" + std::to_string(key_of(ip_a)) + "]'"));
  }
  CHECK_FALSE(q.step());
  CHECK(db.query_int64("SELECT event_count FROM templates") == 75);
  CHECK(db.query_int64("SELECT event_count FROM entities") == 50);  // folded on close
}

TEST_CASE("postings continue across re-opens and survive rows removed by hand") {
  temp_dir dir;
  const auto path = dir.file("tails.db");
  auto add = [](event_store& st, int first, int n) {
    std::vector<model::event> v;
    for (int i = first; i < first + n; ++i) v.push_back(make_event(i, "x", {ip_a}));
    st.add_events(v);
    st.commit();
    st.fold();
  };
  {
    event_store st(manual_fold(path));
    add(st, 0, 2);
  }
  {
    event_store st(manual_fold(path));  // knows nothing of the row: looks it up
    add(st, 2, 2);
  }
  auto db = open_reader(path);
  CHECK(texts(db,
              "SELECT first_event_id || ' ' || last_event_id || ' ' || event_ids "
              "FROM entity_postings") == std::vector<std::string>{"1 4 [1,2,3,4]"});
  event_store st(manual_fold(path));
  add(st, 4, 1);
  {
    sqlite_db side(path);
    side.exec("DELETE FROM entity_postings");  // e.g. a retention job
  }
  add(st, 5, 2);  // the store believed row 1 was there; it starts a new one
  CHECK(texts(db,
              "SELECT first_event_id || ' ' || last_event_id || ' ' || event_ids "
              "FROM entity_postings") == std::vector<std::string>{"6 7 [6,7]"});
  CHECK(ints(db, "SELECT event_count FROM entities") == std::vector<std::int64_t>{7});
}

TEST_CASE("model state: saved by name, replaced as a whole, read back after reopening") {
  temp_dir dir;
  const auto path = dir.file("state.db");
  {
    event_store st(store_options{path});
    CHECK(st.load_state("source/syslog").empty());
    st.save_state("source/syslog", std::string("\x00\x01v1", 4));
    st.add_events({make_event(1, "x", {ip_a})});  // a save inside an open transaction
    st.save_state("source/syslog", std::string("\x00\x02v2", 4));
    st.save_state("source/other", "o");
    st.commit();
  }
  event_store st(store_options{path});
  CHECK(st.load_state("source/syslog") == std::string("\x00\x02v2", 4));
  CHECK(st.load_state("source/other") == "o");
  CHECK(st.load_state("nothing").empty());
}
