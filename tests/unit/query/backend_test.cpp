// One storage suite, two backends: every case runs against SQLite and against a real
// PostgreSQL 15 server (tests/support/pg_server.hpp) with the same inputs and expects the same
// answers, through the interfaces the agent uses (event_writer for the store actor,
// store_reader for the query CLI and the console). A PostgreSQL case exits 77 (skipped, with
// the reason) only when the server binaries are not installed.
#include <algorithm>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include "runtime/util/clock.hpp"

#include "runtime/backend/open_store.hpp"
#include "runtime/query/query_error.hpp"
#include "runtime/store/event_store.hpp"
#include "runtime/store/migrations.hpp"
#include "runtime/store/pg/pg_connection.hpp"
#include "runtime/store/store_error.hpp"
#include "runtime/util/clock.hpp"
#include "tests/support/pg_server.hpp"
#include "tests/unit/store/store_test_support.hpp"

namespace seerflow {
namespace {

using store::test::make_entity;
using store::test::make_event;
constexpr std::int64_t sec = 1'000'000'000;
constexpr std::int64_t t0 = 1'790'000'000 * sec;

struct backend_case {
  std::string name;
  config::storage_settings settings;
  std::unique_ptr<store::test::temp_dir> dir;
};

backend_case make_backend(const std::string& name) {
  backend_case b;
  b.name = name;
  b.settings.backend = name;
  if (name == "sqlite") {
    b.dir = std::make_unique<store::test::temp_dir>();
    b.settings.path = b.dir->file("seerflow.db");
  } else {
    auto& pg = test::pg_server::shared();
    if (!pg.available()) {
      std::cerr << "SKIPPED: no PostgreSQL server binaries: " << pg.why_unavailable() << "\n";
      std::exit(77);
    }
    b.settings.postgresql_url = pg.create_database();
  }
  return b;
}

#define BACKEND_TEST(title, fn)          \
  TEST_CASE("sqlite: " title) {          \
    auto b = make_backend("sqlite");     \
    fn(b);                               \
  }                                      \
  TEST_CASE("postgresql: " title) {      \
    auto b = make_backend("postgresql"); \
    fn(b);                               \
  }

const auto ip1 = make_entity(model::entity_type::ip, "198.51.100.23", 1);
const auto ip2 = make_entity(model::entity_type::ip, "203.0.113.7", 2);
const auto root = make_entity(model::entity_type::user, "root", 3);
const auto alice = make_entity(model::entity_type::user, "alice", 4);
const auto web = make_entity(model::entity_type::host, "web-prod-01", 5);

// Twenty sshd events over twenty seconds, in two flushes.
std::vector<model::event> corpus() {
  std::vector<model::event> out;
  for (int i = 0; i < 20; ++i) {
    const bool failed = i % 3 != 0;
    auto e = make_event(t0 + i * sec,
                        failed ? "Failed password for " + std::string(i % 2 ? "root" : "alice") +
                                     " from 198.51.100.23 port " + std::to_string(40000 + i)
                               : "Accepted publickey for alice from 203.0.113.7",
                        {}, failed ? 11 : 12,
                        failed ? "Failed password for <*> from <*> port <*>"
                               : "Accepted publickey for <*> from <*>");
    e.seq = static_cast<std::uint64_t>(i + 1);
    e.host = "web-prod-01";
    e.app = "sshd";
    e.facility = 4;
    e.severity = static_cast<std::int8_t>(failed ? 4 : 6);
    e.source = i < 10 ? "auth" : "syslog";
    e.params = {"x", "y"};
    e.fields = {{"k", "v\t\"q\"\n"}};
    if (failed)
      e.entities = {i % 2 ? root : alice, ip1, web};
    else
      e.entities = {alice, ip2, web, alice};  // a repeated entity links once
    out.push_back(std::move(e));
  }
  // Bytes a UTF8 database would refuse: invalid UTF-8 and a NUL; stored repaired.
  out[5].message = "Failed password for alice from 198.51.100.23 \xff\xfe";
  return out;
}

void write_corpus(store::event_writer& w) {
  const auto all = corpus();
  w.add_events({all.begin(), all.begin() + 12});
  CHECK(w.commit() > 0);
  w.add_events({all.begin() + 12, all.end()});
  model::rejected_record r;
  r.source = "syslog";
  r.reason = "bad_pri";
  r.detail = "no <PRI>";
  r.data = std::string("\x00\x01garbage", 9);
  r.arrival_ns = t0;
  w.add_rejected({r});
  w.commit();
  w.fold();  // SQLite folds links into entity counts behind the writes; PostgreSQL at once
  w.index_text(1000);
}

std::vector<std::int64_t> event_times(query::store_reader& r, query::event_filter f) {
  std::vector<std::int64_t> out;
  r.events(f, [&](const query::event_row& e) {
    out.push_back((e.time_ns - t0) / sec);
    return true;
  });
  return out;
}

void events_suite(backend_case& b) {
  {
    auto w = backend::open_writer(b.settings);
    CHECK(w->schema_version() == store::latest_schema_version());
    write_corpus(*w);
    CHECK(w->totals().events == 20);
    CHECK(w->totals().rejected == 1);
  }
  auto r = backend::open_reader(b.settings);
  REQUIRE(r);
  query::event_filter all;
  all.limit = 0;
  CHECK(event_times(*r, all).size() == 20);
  CHECK(event_times(*r, all).front() == 19);  // newest first

  query::event_filter f;
  f.limit = 3;
  f.oldest_first = true;
  f.since_ns = t0 + 5 * sec;
  f.until_ns = t0 + 15 * sec;
  CHECK(event_times(*r, f) == std::vector<std::int64_t>{5, 6, 7});
  f = {};
  f.source = "auth";
  f.max_severity = 4;
  CHECK(event_times(*r, f) == std::vector<std::int64_t>{8, 7, 5, 4, 2, 1});
  f = {};
  f.template_id = 12;
  CHECK(event_times(*r, f) == std::vector<std::int64_t>{18, 15, 12, 9, 6, 3, 0});
  // Entities: by value, typed, and one that links once per event although named twice.
  f = {};
  f.entity = "root";
  CHECK(event_times(*r, f) == std::vector<std::int64_t>{19, 17, 13, 11, 7, 5, 1});
  f.entity = "ip:203.0.113.7";
  CHECK(event_times(*r, f).size() == 7);
  f.entity = "user:203.0.113.7";
  CHECK(event_times(*r, f).empty());
  f.entity = "alice";
  CHECK(event_times(*r, f).size() == 13);
  // Full-text search: words, a phrase, a prefix, AND/OR/NOT, combined with an entity.
  f = {};
  f.search = "failed password root";
  CHECK(event_times(*r, f) == std::vector<std::int64_t>{19, 17, 13, 11, 7, 1});
  f.search = "\"publickey for alice\"";
  CHECK(event_times(*r, f).size() == 7);
  f.search = "publick*";
  CHECK(event_times(*r, f).size() == 7);
  f.search = "accepted OR root";
  CHECK(event_times(*r, f).size() == 13);
  f.search = "password NOT root";
  CHECK(event_times(*r, f) == std::vector<std::int64_t>{16, 14, 10, 8, 5, 4, 2});
  f.search = "failed";
  f.entity = "alice";
  f.oldest_first = true;
  CHECK(event_times(*r, f) == std::vector<std::int64_t>{2, 4, 8, 10, 14, 16});
  // A row reads back as written.
  f = {};
  f.limit = 1;
  f.oldest_first = true;
  query::event_row got;
  r->events(f, [&](const query::event_row& e) {
    got = e;
    return false;
  });
  CHECK(got.message == "Accepted publickey for alice from 203.0.113.7");
  CHECK(got.host == "web-prod-01");
  CHECK(got.app == "sshd");
  CHECK(got.severity == 6);
  CHECK(got.facility == 4);
  CHECK(got.fields_json == R"({"k":"v\t\"q\"\n"})");
  CHECK(got.template_id == 12u);
  CHECK(got.template_text == "Accepted publickey for <*> from <*>");
  // The repaired bytes.
  f = {};
  f.since_ns = t0 + 5 * sec;
  f.until_ns = t0 + 6 * sec;
  r->events(f, [&](const query::event_row& e) {
    got = e;
    return true;
  });
  CHECK(got.message.rfind("Failed password for alice from 198.51.100.23 ", 0) == 0);
}
BACKEND_TEST("events by time, source, severity, template, entity and full-text search",
             events_suite)

void hostile_suite(backend_case& b) {
  {
    auto w = backend::open_writer(b.settings);
    write_corpus(*w);
  }
  auto r = backend::open_reader(b.settings);
  query::event_filter f;
  // Filters are data, never SQL.
  f.source = "auth' OR '1'='1";
  CHECK(event_times(*r, f).empty());
  f = {};
  f.entity = "root'); DROP TABLE events; --";
  CHECK(event_times(*r, f).empty());
  f = {};
  f.search = "\"unbalanced";
  CHECK_THROWS_AS(event_times(*r, f), query::query_error);
  // SQL in a search is search text: FTS5 calls the quote a syntax error, the tsquery
  // translation quotes it; either way an answer or a query error, never a store error.
  f.search = "password'; DROP TABLE events; --";
  try {
    event_times(*r, f);
  } catch (const query::query_error&) {
  }
  query::alert_filter a;
  a.min_severity = "extreme";
  CHECK_THROWS_AS(r->alerts(a, [](const auto&) { return true; }), query::query_error);
  f = {};
  f.limit = 0;
  CHECK(event_times(*r, f).size() == 20);  // still all there
}
BACKEND_TEST("hostile filters are data; a bad search is a query error", hostile_suite)

model::alert make_alert(std::string id, std::string kind, std::string severity, std::string rule,
                        std::int64_t t, std::vector<model::entity_ref> ents,
                        std::vector<std::string> tactics, std::vector<std::string> techniques) {
  model::alert a;
  a.id = std::move(id);
  a.kind = std::move(kind);
  a.severity = std::move(severity);
  a.rule = std::move(rule);
  a.title = a.rule + " fired";
  a.source = "auth";
  a.time_ns = t;
  a.entities = std::move(ents);
  a.tactics = std::move(tactics);
  a.techniques = std::move(techniques);
  a.event_seqs = {1, 2};
  a.details_json = R"({"n":3})";
  return a;
}

std::vector<std::string> alert_ids(query::store_reader& r, query::alert_filter f) {
  std::vector<std::string> out;
  r.alerts(f, [&](const query::alert_row& a) {
    out.push_back(a.id);
    return true;
  });
  return out;
}

void alerts_suite(backend_case& b) {
  {
    auto w = backend::open_writer(b.settings);
    w->add_alerts(
        {make_alert("a1", "sigma", "high", "ssh-brute-force", t0, {ip1, root},
                    {"credential-access"}, {"T1110", "T1110.001"}),
         make_alert("a2", "anomaly", "low", "volume", t0 + sec, {web}, {}, {}),
         make_alert("a3", "correlation", "critical", "lateral", t0 + 2 * sec, {ip2, alice},
                    {"lateral-movement", "credential-access"}, {"T1021.004"})});
    w->commit();
    // A repeat inside the dedup window: the count grows, the last time moves.
    w->add_alerts({make_alert("a1", "sigma", "high", "ssh-brute-force", t0 + 5 * sec, {ip1, root},
                              {"credential-access"}, {"T1110"})});
    w->commit();
  }
  auto r = backend::open_reader(b.settings);
  query::alert_filter f;
  CHECK(alert_ids(*r, f) == std::vector<std::string>{"a3", "a2", "a1"});
  f.oldest_first = true;
  CHECK(alert_ids(*r, f) == std::vector<std::string>{"a1", "a2", "a3"});
  f = {};
  f.tactic = "Credential Access";
  CHECK(alert_ids(*r, f) == std::vector<std::string>{"a3", "a1"});
  f = {};
  f.technique = "t1110";
  CHECK(alert_ids(*r, f) == std::vector<std::string>{"a1"});
  f.technique = "T1021";
  CHECK(alert_ids(*r, f) == std::vector<std::string>{"a3"});
  f = {};
  f.entity = "root";
  CHECK(alert_ids(*r, f) == std::vector<std::string>{"a1"});
  f.entity = "host:web-prod-01";
  CHECK(alert_ids(*r, f) == std::vector<std::string>{"a2"});
  f.entity = "user:web-prod-01";
  CHECK(alert_ids(*r, f).empty());
  f = {};
  f.min_severity = "high";
  CHECK(alert_ids(*r, f) == std::vector<std::string>{"a3", "a1"});
  f = {};
  f.kind = "sigma";
  query::alert_row a1;
  r->alerts(f, [&](const query::alert_row& a) {
    a1 = a;
    return true;
  });
  CHECK(a1.dedup_count == 2);
  CHECK(a1.last_time_ns == t0 + 5 * sec);
  CHECK(a1.tactics == std::vector<std::string>{"credential-access"});
  CHECK(a1.techniques == std::vector<std::string>{"T1110", "T1110.001"});
  CHECK(a1.details_json == R"({"n":3})");
  CHECK(a1.entities_json.find("\"value\":\"198.51.100.23\"") != std::string::npos);
  // Rule state, from the Sigma and correlation alerts only.
  std::vector<std::pair<std::string, std::int64_t>> rules;
  r->rules({}, [&](const query::rule_row& x) {
    rules.emplace_back(x.rule, x.match_count);
    return true;
  });
  CHECK(rules ==
        std::vector<std::pair<std::string, std::int64_t>>{{"ssh-brute-force", 2}, {"lateral", 1}});
}
BACKEND_TEST("alerts by tactic, technique, entity and severity; dedup count; rule state",
             alerts_suite)

void templates_suite(backend_case& b) {
  {
    auto w = backend::open_writer(b.settings);
    write_corpus(*w);
  }
  auto r = backend::open_reader(b.settings, backend::access::read_write);
  std::vector<std::pair<std::uint64_t, std::int64_t>> got;
  r->templates({}, [&](const query::template_row& t) {
    got.emplace_back(t.template_id, t.event_count);
    return true;
  });
  CHECK(got == std::vector<std::pair<std::uint64_t, std::int64_t>>{{11, 13}, {12, 7}});
  query::template_filter nf;
  nf.first_seen_since_ns = t0 + sec;
  nf.newest_first = true;
  got.clear();
  r->templates(nf, [&](const query::template_row& t) {
    got.emplace_back(t.template_id, t.first_seen_ns);
    return true;
  });
  CHECK(got == std::vector<std::pair<std::uint64_t, std::int64_t>>{{11, t0 + sec}});
  // Prune: a dry run changes nothing; then template 12 (last seen at 18 s) goes.
  store::prune_options o;
  o.unseen_since_ns = t0 + 19 * sec;
  o.max_events = 10;
  o.dry_run = true;
  auto p = r->prune_templates(o);
  REQUIRE(p.templates.size() == 1);
  CHECK(p.templates[0].template_id == 12u);
  CHECK(p.events_unlinked == 7);
  o.dry_run = false;
  p = r->prune_templates(o);
  CHECK(p.events_unlinked == 7);
  query::event_filter f;
  f.template_id = 12;
  CHECK(event_times(*r, f).empty());
  std::size_t n = 0;
  r->templates({}, [&](const auto&) { return ++n, true; });
  CHECK(n == 1);
}
BACKEND_TEST("templates aggregate over flushes; new-since; prune", templates_suite)

void state_suite(backend_case& b) {
  model::edge_observation e1;
  e1.from = root;
  e1.to = ip1;
  e1.type = model::edge_type::authenticated_from;
  e1.first_ns = t0;
  e1.last_ns = t0 + sec;
  e1.count = 3;
  auto e2 = e1;
  e2.from = alice;
  e2.to = web;
  e2.type = model::edge_type::logged_into;
  e2.count = 1;
  {
    auto w = backend::open_writer(b.settings);
    write_corpus(*w);
    w->save_state("miner/auth", std::string("\x00\x01\xff state", 9));
    w->save_state("miner/auth", std::string("\x00\x02\xff state", 9));
    CHECK(w->load_state("miner/auth") == std::string("\x00\x02\xff state", 9));
    CHECK(w->load_state("nothing").empty());
    w->add_graph_edges({e1, e2});
    e1.count = 2;
    e1.last_ns = t0 + 9 * sec;
    w->add_graph_edges({e1});
  }
  {
    auto w = backend::open_writer(b.settings);  // reopening migrates nothing, keeps everything
    CHECK(w->load_state("miner/auth") == std::string("\x00\x02\xff state", 9));
  }
  auto r = backend::open_reader(b.settings);
  std::vector<std::string> edges;
  r->graph_edges({}, [&](const query::graph_edge_row& g) {
    edges.push_back(g.from_value + " " + g.edge_type + " " + g.to_value + " " +
                    std::to_string(g.count) + " " + std::to_string((g.last_seen_ns - t0) / sec));
    return true;
  });
  CHECK(edges == std::vector<std::string>{"root authenticated_from 198.51.100.23 5 9",
                                          "alice logged_into web-prod-01 1 1"});
  query::graph_filter gf;
  gf.entity_value = "web-prod-01";
  std::size_t n = r->graph_edges(gf, [](const auto&) { return true; });
  CHECK(n == 1);
  // Entities by substring (case-insensitive), the most events first, with exact counts.
  std::vector<std::string> ents;
  r->entities("2", 10, [&](const query::entity_row& e) {
    ents.push_back(e.type + ":" + e.value + "=" + std::to_string(e.event_count));
    return true;
  });
  CHECK(ents == std::vector<std::string>{"ip:198.51.100.23=13", "ip:203.0.113.7=7"});
  ents.clear();
  r->entities("WEB-PROD", 10, [&](const query::entity_row& e) {
    ents.push_back(e.value + "=" + std::to_string(e.event_count));
    return true;
  });
  CHECK(ents == std::vector<std::string>{"web-prod-01=20"});
}
BACKEND_TEST("model state, graph edges and entity search survive a reopen", state_suite)

model::tail_offsets tail_batch(const std::string& tailer, std::uint64_t seq,
                               std::uint64_t saved_seq,
                               std::vector<model::tail_file_offset> files) {
  return model::tail_offsets{tailer, seq, saved_seq, std::move(files)};
}

// Sorted by inode, for comparison.
std::vector<model::stored_tail_offset> tail_rows(store::event_writer& w,
                                                 const std::string& tailer) {
  auto rows = w.load_tail_offsets(tailer);
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.file.ino < b.file.ino; });
  return rows;
}

// The file tailer's read positions commit with the events of their batch, or not at all.
void tail_offsets_suite(backend_case& b) {
  const model::tail_file_offset a1{~0ull, 1, ~0ull, 256, 100, 10};  // uint64 bits survive
  const model::tail_file_offset a2{~0ull, 1, ~0ull, 256, 200, 20};
  const model::tail_file_offset f2{~0ull, 2, 5, 17, 17, 1};
  const auto events = corpus();
  {
    auto w = backend::open_writer(b.settings);
    CHECK(w->load_tail_offsets("n/files").empty());
    w->add_events({events.begin(), events.begin() + 2});
    w->add_tail_offsets(tail_batch("n/files", 1, 0, {a1, f2}));
    w->commit();
    w->add_events({events.begin() + 2, events.begin() + 4});
    w->add_tail_offsets(tail_batch("n/files", 2, 0, {a2}));
    w->add_tail_offsets(tail_batch("other/files", 9, 0, {a1}));
    w->commit();
    CHECK(tail_rows(*w, "n/files") == std::vector<model::stored_tail_offset>{{a2, 2}, {f2, 1}});
    // Staged and never committed (the process dies): neither the events nor the positions.
    w->add_events({events.begin() + 4, events.begin() + 6});
    w->add_tail_offsets(tail_batch("n/files", 3, 0, {{~0ull, 1, ~0ull, 256, 300, 30}}));
  }
  auto w = backend::open_writer(b.settings);
  CHECK(w->totals().events == 0);
  CHECK(tail_rows(*w, "n/files") == std::vector<model::stored_tail_offset>{{a2, 2}, {f2, 1}});
  {
    auto r = backend::open_reader(b.settings);
    query::event_filter all;
    all.limit = 0;
    CHECK(event_times(*r, all).size() == 4);
  }
  // The checkpoint file covers batch 1 now: rows up to it go, later ones and others' stay.
  const model::tail_file_offset f3{~0ull, 3, 9, 256, 4096, 50};
  w->add_tail_offsets(tail_batch("n/files", 4, 1, {f3}));
  w->commit();
  CHECK(tail_rows(*w, "n/files") == std::vector<model::stored_tail_offset>{{a2, 2}, {f3, 4}});
  CHECK(tail_rows(*w, "other/files") == std::vector<model::stored_tail_offset>{{a1, 9}});
}
BACKEND_TEST("file tail offsets commit with their batch's events; covered rows are pruned",
             tail_offsets_suite)

void retention_suite(backend_case& b) {
  auto w = backend::open_writer(b.settings);
  write_corpus(*w);
  w->add_alerts({make_alert("old", "anomaly", "low", "volume", t0, {web}, {}, {}),
                 make_alert("new", "anomaly", "low", "volume", t0 + 19 * sec, {web}, {}, {})});
  w->commit();
  store::retention_policy p;
  // "now" is 25 s after t0: events before 10 s go, alerts whose last repeat is before 15 s.
  p.max_age_ns = 15 * sec;
  p.alerts_max_age_ns = 10 * sec;
  std::uint64_t events = 0;
  for (int i = 0; i < 10; ++i) {
    const auto c = w->enforce_retention(p, t0 + 25 * sec, 4);
    events += c.events;
    if (!c.more) break;
  }
  CHECK(events == 10);
  auto r = backend::open_reader(b.settings);
  query::event_filter f;
  f.limit = 0;
  f.oldest_first = true;
  const auto left = event_times(*r, f);
  REQUIRE(left.size() == 10);
  CHECK(left.front() == 10);
  f.entity = "root";
  CHECK(event_times(*r, f) == std::vector<std::int64_t>{11, 13, 17, 19});
  CHECK(alert_ids(*r, {}) == std::vector<std::string>{"new"});
}
BACKEND_TEST("retention by age deletes old events with their links, and old alerts",
             retention_suite)

// Makes the store look as if a newer seerflow had migrated it.
void make_newer(const config::storage_settings& s) {
  if (s.backend == "sqlite") {
    store::sqlite_db db(s.path);
    db.exec("PRAGMA user_version = 99");
  } else {
    store::pg::connection c(s.postgresql_url);
    c.exec("INSERT INTO schema_migrations(version, name, applied_at_ns) VALUES(99, 'x', 0)");
  }
}

void newer_suite(backend_case& b) {
  backend::open_writer(b.settings);
  make_newer(b.settings);
  try {
    backend::open_writer(b.settings);
    FAIL("a newer store was opened");
  } catch (const store::store_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("newer than this build"));
  }
  CHECK_THROWS_AS(backend::open_reader(b.settings), store::store_error);
}
BACKEND_TEST("a store from a newer seerflow is refused", newer_suite)

// Cluster actor snapshots (actors/directory_actor.hpp): one row per (kind, key), the latest
// write wins and takes the row to its writer; a node reads back exactly what it wrote last.
void actor_snapshots_suite(backend_case& b) {
  // Any bytes: NUL, invalid UTF-8, a backslash, quotes, braces and commas of array literals.
  const std::string odd("\x00\xff\\\"{},\n\t x", 11);
  const std::uint64_t big = 0xfedcba9876543210ULL;  // above INT64_MAX
  {
    auto w = backend::open_writer(b.settings);
    CHECK(w->load_actor_snapshots("n1").empty());
    w->save_actor_snapshots("n1", {{true, 7, "old"},
                                   {false, 7, "template seven"},
                                   {true, big, odd},
                                   {true, 7, "new"},  // the later one in a batch wins
                                   {true, 9, "nine"}});
    // In the open transaction of staged events, committed with them.
    w->add_events({make_event(t0, "x", {}, 1, "x")});
    w->save_actor_snapshots("n2", {{true, 9, "nine from n2"}});
    w->commit();
    w->save_actor_snapshots("n1", {});
  }
  auto w = backend::open_writer(b.settings);
  const auto n1 = w->load_actor_snapshots("n1");
  REQUIRE(n1.size() == 3);
  // Entities first, then templates; by key as stored (signed), so `big` comes first.
  CHECK(n1[0].entity);
  CHECK(n1[0].key == big);
  CHECK(n1[0].bytes == odd);
  CHECK(n1[1].entity);
  CHECK(n1[1].key == 7);
  CHECK(n1[1].bytes == "new");
  CHECK_FALSE(n1[2].entity);
  CHECK(n1[2].key == 7);
  CHECK(n1[2].bytes == "template seven");
  const auto n2 = w->load_actor_snapshots("n2");
  REQUIRE(n2.size() == 1);
  CHECK(n2[0].key == 9);
  CHECK(n2[0].bytes == "nine from n2");
  CHECK(w->load_actor_snapshots("n3").empty());

  // Many in one call (PostgreSQL splits them over statements).
  std::vector<store::actor_snapshot> many;
  for (std::uint64_t k = 0; k < 1200; ++k)
    many.push_back({k % 2 == 0, 1000 + k, std::string(k % 50, static_cast<char>(k))});
  w->save_actor_snapshots("n3", many);
  const auto n3 = w->load_actor_snapshots("n3");
  REQUIRE(n3.size() == 1200);
  std::size_t same = 0;
  for (const auto& a : n3) {
    const auto k = a.key - 1000;
    same += a.entity == (k % 2 == 0) && a.bytes == std::string(k % 50, static_cast<char>(k));
  }
  CHECK(same == 1200);

  // Retention by age takes the snapshots no owner refreshed within the period.
  store::retention_policy p;
  p.max_age_ns = 3600LL * 1'000'000'000;
  const std::int64_t later = util::wall_now_ns() + 2 * p.max_age_ns;
  std::uint64_t deleted = 0;
  for (int i = 0; i < 100; ++i) {
    const auto c = w->enforce_retention(p, later, 500);
    deleted += c.snapshots;
    if (!c.more) break;
  }
  CHECK(deleted == 1204);
  CHECK(w->load_actor_snapshots("n1").empty());
  CHECK(w->load_actor_snapshots("n3").empty());
}
BACKEND_TEST("actor snapshots: latest write per id wins, read back by the node that wrote it",
             actor_snapshots_suite)

TEST_CASE("postgresql: a bad URL or an unreachable server is a clear error") {
  config::storage_settings s;
  s.backend = "postgresql";
  s.postgresql_url = "postgresql://seer:secret@127.0.0.1:1/seerflow?connect_timeout=2";
  try {
    backend::open_writer(s);
    FAIL("connected to nothing");
  } catch (const store::store_error& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("cannot connect to PostgreSQL at "
                                     "postgresql://seer:***@127.0.0.1:1/seerflow"));
    CHECK(what.find("secret") == std::string::npos);
  }
  s.postgresql_url = "postgresql://seer@127.0.0.1:notaport/x";
  CHECK_THROWS_AS(backend::open_reader(s), store::store_error);
  s.postgresql_url = "postgresql://[::1/x";
  try {
    backend::open_reader(s);
    FAIL("parsed a broken URI");
  } catch (const store::store_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("not a valid libpq URI"));
  }
}

TEST_CASE("postgresql: a lost session costs one failed write, then writes go on") {
  auto b = make_backend("postgresql");
  auto w = backend::open_writer(b.settings);
  const auto all = corpus();
  w->add_events({all.begin(), all.begin() + 5});
  w->commit();
  {
    // What a server restart or an administrator does to the writer's session.
    store::pg::connection admin(b.settings.postgresql_url);
    admin.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
        "current_database() AND pid <> pg_backend_pid()");
  }
  bool failed = false;
  try {
    w->add_events({all.begin() + 5, all.begin() + 10});
    w->commit();
  } catch (const store::store_error&) {
    failed = true;  // the store actor keeps the batch and retries it
  }
  if (failed) {
    w->add_events({all.begin() + 5, all.begin() + 10});
    w->commit();
  }
  w->add_events({all.begin() + 10, all.end()});
  w->commit();
  auto r = backend::open_reader(b.settings);
  query::event_filter f;
  f.limit = 0;
  CHECK(event_times(*r, f).size() == 20);
  f.entity = "root";
  CHECK(event_times(*r, f).size() == 7);
}

TEST_CASE("postgresql: a database with someone else's tables is refused") {
  auto b = make_backend("postgresql");
  {
    store::pg::connection c(b.settings.postgresql_url);
    c.exec("CREATE TABLE invoices(id int)");
  }
  CHECK_THROWS_WITH(backend::open_writer(b.settings), Catch::Contains("not a seerflow database"));
}

}  // namespace
}  // namespace seerflow
