// Retention: a store with old and new events shrinks to the new ones (with their entity links,
// entities and rejected records; searches no longer find them), a size cap holds within a
// tolerance while events keep arriving (the full-text index's file counted, its parts dropped
// once their events are gone), old alerts go with their ATT&CK rows, and ids never go back
// after the newest events were deleted. Each index part passes FTS5's own integrity check.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "runtime/store/event_store.hpp"
#include "runtime/store/text_index.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace seerflow;
using namespace seerflow::store;
using store::test::key_of;
using store::test::make_entity;
using store::test::make_event;
using store::test::open_reader;
using store::test::temp_dir;

namespace {

constexpr std::int64_t day_ns = 86'400LL * 1'000'000'000;
constexpr std::int64_t now_ns = 1'800'000'000LL * 1'000'000'000;  // a fixed "now"

// Runs steps until retention has nothing more to do now; returns what they deleted.
retention_counts retain_all(event_store& st, const retention_policy& p, std::size_t step = 100) {
  retention_counts total;
  for (int i = 0; i < 100000; ++i) {
    const auto c = st.enforce_retention(p, now_ns, step);
    total += c;
    if (!c.more) break;
  }
  return total;
}

void check_text_index(const std::string& path) {
  sqlite_db db(text_index_path(path));
  auto parts = db.prepare("SELECT number FROM fts_parts", false);
  while (parts.step()) {
    const auto t = text_index::table(parts.column_int64(0));
    CHECK_NOTHROW(db.exec("INSERT INTO " + t + "(" + t + ") VALUES('integrity-check')"));
  }
}

// Stored events the index finds for `match`, as a search sees them (hits of every part whose
// event is still stored).
std::int64_t fts_count(const std::string& path, const std::string& match) {
  sqlite_db db(path, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, 0);
  REQUIRE(attach_text_index(db));
  const auto view = text_index_view::read(db);
  if (view.tables.empty()) return 0;
  std::string hits;
  for (const auto& t : view.tables)
    hits += (hits.empty() ? "" : " UNION ALL ") +
            ("SELECT rowid FROM fts." + t + " WHERE " + t + " MATCH ?1");
  auto q = db.prepare("SELECT count(*) FROM events WHERE id IN (" + hits + ")", false);
  q.bind_text(1, match);
  REQUIRE(q.step());
  return q.column_int64(0);
}

}  // namespace

TEST_CASE("retention by age: the store shrinks to the new events, links, text and records") {
  temp_dir dir;
  const auto path = dir.file("age.db");
  const auto old_ip = make_entity(model::entity_type::ip, "198.51.100.7", 1);
  const auto both_user = make_entity(model::entity_type::user, "alice", 2);
  const auto new_host = make_entity(model::entity_type::host, "web-prod-01", 3);
  const std::int64_t old_t = now_ns - 40 * day_ns, new_t = now_ns - day_ns;
  constexpr int n_old = 700, n_new = 300;
  event_store st({path});
  // Old and new interleaved in store order: retention goes by event time, not by id.
  std::vector<model::event> batch;
  for (int i = 0; i < n_old + n_new; ++i) {
    if (i % 10 < 7 && i / 10 * 7 + i % 10 < n_old)
      batch.push_back(make_event(old_t + i, "ancient failure number " + std::to_string(i),
                                 {old_ip, both_user}, 11, "ancient failure number <*>"));
    else
      batch.push_back(make_event(new_t + i, "recent login number " + std::to_string(i),
                                 {both_user, new_host}, 22, "recent login number <*>"));
  }
  st.add_events(batch);
  model::rejected_record old_rej{"test", "bad_pri", "x", "<999>x", old_t, "peer", 0};
  model::rejected_record new_rej{"test", "bad_pri", "y", "<999>y", new_t, "peer", 0};
  st.add_rejected({old_rej, old_rej, new_rej});
  st.commit();
  st.fold();
  CHECK(st.index_text(100000) == n_old + n_new);
  {
    auto db = open_reader(path);
    REQUIRE(db.query_int64("SELECT count(*) FROM events") == n_old + n_new);
    REQUIRE(fts_count(path, "ancient") == n_old);
  }

  retention_policy p;
  p.max_age_ns = 30 * day_ns;
  const auto c = retain_all(st, p);
  CHECK(c.events == n_old);
  CHECK(c.rejected == 2);
  CHECK(c.entities == 1);  // the address seen only in old events
  CHECK(st.totals().deleted.events == n_old);

  auto db = open_reader(path);
  CHECK(db.query_int64("SELECT count(*) FROM events") == n_new);
  CHECK(db.query_int64("SELECT min(time_ns) FROM events") >= now_ns - 30 * day_ns);
  CHECK(fts_count(path, "ancient") == 0);
  CHECK(fts_count(path, "recent") == n_new);
  CHECK(db.query_int64("SELECT count(*) FROM rejected") == 1);
  CHECK(db.query_int64("SELECT count(*) FROM entities WHERE entity_key = " +
                       std::to_string(key_of(old_ip))) == 0);
  CHECK(db.query_int64("SELECT count(*) FROM entities") == 2);
  // Every link left points at a stored event, and each new event keeps both of its links.
  CHECK(db.query_int64("SELECT count(*) FROM event_entities AS l JOIN events AS e "
                       "ON e.id = l.event_id WHERE l.entity_key = " +
                       std::to_string(key_of(both_user))) == n_new);
  CHECK(db.query_int64("SELECT count(*) FROM event_entities AS l JOIN events AS e "
                       "ON e.id = l.event_id WHERE l.entity_key = " +
                       std::to_string(key_of(new_host))) == n_new);
  CHECK(db.query_int64("SELECT count(*) FROM entity_postings WHERE entity_key = " +
                       std::to_string(key_of(old_ip))) == 0);
  check_text_index(path);

  SECTION("a second pass finds nothing to do") {
    const auto again = st.enforce_retention(p, now_ns, 1000);
    CHECK(again.rows() == 0);
    CHECK_FALSE(again.more);
  }
}

TEST_CASE("retention by size: the cap holds within a tolerance while events keep arriving") {
  temp_dir dir;
  const auto path = dir.file("size.db");
  constexpr std::int64_t cap = 4 << 20;  // 4 MiB
  retention_policy p;
  p.max_bytes = cap;
  std::vector<model::entity_ref> ents;
  for (int i = 0; i < 200; ++i)
    ents.push_back(make_entity(model::entity_type::ip, "10.0.0." + std::to_string(i),
                               static_cast<std::uint8_t>(i)));
  store_options o{path};
  o.text.index.part_rows = 2000;  // small parts, so that retention empties some
  event_store st(o);
  std::int64_t t = now_ns - day_ns;
  std::uint64_t written = 0;
  for (int round = 0; round < 60; ++round) {
    std::vector<model::event> batch;
    for (int i = 0; i < 1000; ++i, ++t)
      batch.push_back(make_event(t,
                                 "Failed password for user" + std::to_string(i % 37) + " from " +
                                     ents[static_cast<std::size_t>(i % 200)].value + " port " +
                                     std::to_string(1024 + i) + " ssh2 round r" +
                                     std::to_string(round),
                                 {ents[static_cast<std::size_t>((i * 7 + round) % 200)]}, 5,
                                 "Failed password for <*> from <*> port <*> ssh2 round <*>"));
    st.add_events(batch);
    st.commit();
    written += batch.size();
    if (round % 3 == 0) st.index_text(100000);
    st.enforce_retention(p, now_ns, 4000);  // as the store actor does after a write
  }
  st.fold();
  st.index_text(1'000'000);
  retain_all(st, p, 4000);
  st.index_text(1);  // drops the parts retention emptied

  auto db = open_reader(path);
  const auto used =
      (db.query_int64("PRAGMA page_count") - db.query_int64("PRAGMA freelist_count")) *
      db.query_int64("PRAGMA page_size");
  INFO("pages in use: " << used << " bytes; cap " << cap);
  CHECK(used <= cap * 11 / 10);
  // The file itself gave its free pages back (the database was created with incremental
  // auto-vacuum), so it is near the cap too.
  CHECK(db.query_int64("PRAGMA auto_vacuum") == 2);
  CHECK(static_cast<std::int64_t>(std::filesystem::file_size(path)) <= cap * 13 / 10);
  // The index's file counts in the cap: its emptied parts went and gave their pages back.
  const auto index_bytes =
      static_cast<std::int64_t>(std::filesystem::file_size(text_index_path(path)));
  INFO("index file: " << index_bytes << " bytes");
  CHECK(used + index_bytes <= cap * 12 / 10);
  const auto kept = db.query_int64("SELECT count(*) FROM events");
  CHECK(kept > 0);
  CHECK(static_cast<std::uint64_t>(kept) < written / 2);
  CHECK(st.totals().deleted.events == written - static_cast<std::uint64_t>(kept));
  // The newest events are the ones kept.
  CHECK(db.query_int64("SELECT max(id) FROM events") == static_cast<std::int64_t>(written));
  CHECK(db.query_int64("SELECT count(*) FROM events WHERE id > " +
                       std::to_string(written - static_cast<std::uint64_t>(kept))) == kept);
  CHECK(fts_count(path, "round") == kept);
  CHECK(fts_count(path, "r0") == 0);  // the first round is gone from the index too
  // No posting row is left whose events are all gone.
  CHECK(db.query_int64("SELECT count(*) FROM entity_postings WHERE last_event_id < "
                       "(SELECT min(id) FROM events)") == 0);
  check_text_index(path);
}

TEST_CASE("retention of alerts: those whose latest repeat is old go with their ATT&CK rows") {
  temp_dir dir;
  const auto path = dir.file("alerts.db");
  const auto alert = [](std::string id, std::int64_t t) {
    model::alert a;
    a.id = std::move(id);
    a.kind = "sigma";
    a.severity = "high";
    a.rule = "rule-1";
    a.time_ns = t;
    a.tactics = {"credential-access"};
    a.techniques = {"T1110"};
    return a;
  };
  event_store st({path});
  st.add_alerts({alert("old", now_ns - 100 * day_ns),
                 alert("old-but-repeating", now_ns - 100 * day_ns), alert("new", now_ns - day_ns)});
  st.commit();
  // A repeat yesterday keeps the alert alive.
  st.add_alerts({alert("old-but-repeating", now_ns - day_ns)});
  st.commit();
  retention_policy p;
  p.alerts_max_age_ns = 90 * day_ns;
  const auto c = retain_all(st, p);
  CHECK(c.alerts == 1);
  auto db = open_reader(path);
  CHECK(db.query_text("SELECT group_concat(id, ',') FROM (SELECT id FROM alerts ORDER BY id)") ==
        "new,old-but-repeating");
  CHECK(db.query_int64("SELECT count(*) FROM alert_tactics WHERE alert_id = 'old'") == 0);
  CHECK(db.query_int64("SELECT count(*) FROM alert_techniques WHERE alert_id = 'old'") == 0);
  CHECK(db.query_int64("SELECT count(*) FROM alert_tactics") == 2);
  // Rule state is not the alerts': it keeps every match.
  CHECK(db.query_int64("SELECT match_count FROM rule_state WHERE rule = 'rule-1'") == 4);
}

TEST_CASE("after retention deleted the newest events, ids go on and new events are indexed") {
  temp_dir dir;
  const auto path = dir.file("ids.db");
  const auto ip = make_entity(model::entity_type::ip, "203.0.113.5", 9);
  {
    event_store st({path});
    st.add_events({make_event(now_ns - 50 * day_ns, "first old line", {ip}),
                   make_event(now_ns - 49 * day_ns, "second old line", {ip})});
    st.commit();
    st.fold();
    st.index_text(100);
    retention_policy p;
    p.max_age_ns = 30 * day_ns;
    CHECK(retain_all(st, p).events == 2);
  }
  {
    event_store st({path});
    st.add_events({make_event(now_ns, "fresh line after the purge", {ip})});
    st.commit();
    st.fold();
    CHECK(st.index_text(100) == 1);
  }
  auto db = open_reader(path);
  CHECK(db.query_int64("SELECT id FROM events") == 3);
  CHECK(fts_count(path, "fresh") == 1);
  CHECK(fts_count(path, "old") == 0);
  // The entity came back with the new event.
  CHECK(db.query_int64("SELECT count(*) FROM event_entities AS l JOIN events AS e ON "
                       "e.id = l.event_id WHERE l.entity_key = " +
                       std::to_string(key_of(ip))) == 1);
  CHECK(db.query_int64("SELECT count(*) FROM entities_all WHERE entity_key = " +
                       std::to_string(key_of(ip))) == 1);
  check_text_index(path);
}

TEST_CASE("rule state: sigma and correlation alerts count per rule, other kinds do not") {
  temp_dir dir;
  const auto path = dir.file("rules.db");
  const auto alert = [](std::string id, std::string kind, std::string rule, std::int64_t t) {
    model::alert a;
    a.id = std::move(id);
    a.kind = std::move(kind);
    a.severity = "medium";
    a.rule = std::move(rule);
    a.title = "title of " + a.rule;
    a.time_ns = t;
    return a;
  };
  {
    event_store st({path});
    st.add_alerts({alert("a1", "sigma", "r-ssh", 3000), alert("a1", "sigma", "r-ssh", 5000),
                   alert("a2", "sigma", "r-ssh", 1000), alert("c1", "correlation", "c-brute", 7000),
                   alert("x1", "anomaly", "ensemble", 8000)});
    st.commit();
  }
  auto db = open_reader(path);
  CHECK(db.query_int64("SELECT count(*) FROM rule_state") == 2);
  CHECK(db.query_text("SELECT match_count || ' ' || first_fired_ns || ' ' || last_fired_ns || ' ' "
                      "|| enabled || ' ' || kind FROM rule_state WHERE rule = 'r-ssh'") ==
        "3 1000 5000 1 sigma");
  CHECK(db.query_text("SELECT title FROM rule_state WHERE rule = 'c-brute'") == "title of c-brute");
}
