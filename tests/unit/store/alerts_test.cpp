// Alerts in the store: every field round-trips, ATT&CK tactics and techniques land in their
// tables, and a repeat of an alert id counts on the stored alert instead of adding a row.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "runtime/store/event_store.hpp"
#include "runtime/store/migrations.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace seerflow;
using namespace seerflow::store;
using store::test::make_entity;
using store::test::open_reader;
using store::test::temp_dir;

namespace {

model::alert brute_force(std::int64_t time_ns) {
  model::alert a;
  a.id = "sigma-5a1c-203.0.113.7";
  a.kind = "correlation";
  a.severity = "high";
  a.rule = "5a1c0e0e-0000-4000-8000-000000000001";
  a.title = "SSH brute force then login";
  a.source = "auth";
  a.time_ns = time_ns;
  a.event_seqs = {3, 4, 17};
  a.entities = {make_entity(model::entity_type::ip, "203.0.113.7", 1),
                make_entity(model::entity_type::user, "r\"oot", 2)};
  a.details_json = R"({"count":12})";
  a.tactics = {"credential-access", "initial-access"};
  a.techniques = {"T1110.001", "T1078"};
  a.dedup_key = "rule+ip";
  return a;
}

std::string text(const sqlite_db& db, std::string_view sql) {
  auto q = db.prepare(sql, false);
  REQUIRE(q.step());
  return q.column_is_null(0) ? std::string("<null>") : std::string(q.column_text(0));
}

}  // namespace

TEST_CASE("an alert round-trips with its ATT&CK tags, and a repeat counts instead of adding") {
  temp_dir dir;
  const auto path = dir.file("alerts.db");
  {
    event_store st(store_options{path});
    CHECK(st.schema_version() == latest_schema_version());
    st.add_alerts({brute_force(1'000)});
    CHECK(st.commit() == 1);
    st.add_alerts({brute_force(5'000), brute_force(3'000)});  // repeats, out of order
    st.commit();
    CHECK(st.totals().alerts == 3);
  }
  auto db = open_reader(path);
  CHECK(db.query_int64("SELECT count(*) FROM alerts") == 1);
  CHECK(db.query_int64("SELECT dedup_count FROM alerts") == 3);
  CHECK(db.query_int64("SELECT time_ns FROM alerts") == 1'000);
  CHECK(db.query_int64("SELECT last_time_ns FROM alerts") == 5'000);
  CHECK(text(db,
             "SELECT kind || '|' || severity || '|' || rule || '|' || title || '|' || source "
             "|| '|' || dedup_key FROM alerts") ==
        "correlation|high|5a1c0e0e-0000-4000-8000-000000000001|SSH brute force then login|auth|"
        "rule+ip");
  CHECK(text(db, "SELECT event_seqs FROM alerts") == "[3,4,17]");
  CHECK(text(db, "SELECT details FROM alerts") == R"({"count":12})");
  CHECK(text(db, "SELECT json_extract(entities, '$[1].value') FROM alerts") == "r\"oot");
  CHECK(text(db, "SELECT json_extract(entities, '$[0].type') FROM alerts") == "ip");
  CHECK(text(db, "SELECT length(json_extract(entities, '$[0].id')) FROM alerts") == "36");
  CHECK(text(db,
             "SELECT group_concat(tactic, ',') FROM (SELECT tactic FROM alert_tactics "
             "ORDER BY tactic)") == "credential-access,initial-access");
  CHECK(text(db,
             "SELECT group_concat(technique, ',') FROM (SELECT technique FROM "
             "alert_techniques ORDER BY technique)") == "T1078,T1110.001");
  CHECK(text(db, "SELECT verdict FROM alerts") == "<null>");
}

TEST_CASE("an alert with nothing optional stores NULLs, not empty strings") {
  temp_dir dir;
  const auto path = dir.file("bare.db");
  {
    event_store st(store_options{path});
    model::alert a;
    a.id = "a1";
    a.kind = "anomaly";
    a.severity = "medium";
    a.time_ns = 7;
    st.add_alerts({a});
    st.commit();
  }
  auto db = open_reader(path);
  CHECK(text(db,
             "SELECT coalesce(rule, 'N') || coalesce(entities, 'N') || "
             "coalesce(event_seqs, 'N') || coalesce(details, 'N') FROM alerts") == "NNNN");
  CHECK(db.query_int64("SELECT count(*) FROM alert_tactics") == 0);
}
