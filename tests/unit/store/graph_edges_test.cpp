// Entity graph edges in the store: a first save inserts, later saves add their counts and
// widen first/last seen; values of every kind (quotes, unicode, long) are kept as given.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "runtime/store/event_store.hpp"
#include "tests/unit/store/store_test_support.hpp"

using namespace seerflow;
using namespace seerflow::store;
using store::test::make_entity;
using store::test::open_reader;
using store::test::temp_dir;

TEST_CASE("graph edges: upserted by (from, type, to), counts added") {
  temp_dir dir;
  const auto path = dir.file("graph.db");
  const auto alice = make_entity(model::entity_type::user, "al'ice\"", 1);
  const auto ip = make_entity(model::entity_type::ip, "203.0.113.9", 2);
  const auto host = make_entity(model::entity_type::host, std::string(3000, 'h') + "é", 3);
  {
    event_store st(store_options{path});
    st.add_graph_edges({{alice, ip, model::edge_type::authenticated_from, 100, 200, 3},
                        {alice, host, model::edge_type::logged_into, 150, 150, 1}});
    st.add_graph_edges({{alice, ip, model::edge_type::authenticated_from, 50, 120, 2}});
    st.add_graph_edges({});
  }
  auto db = open_reader(path);
  auto q = db.prepare(
      "SELECT from_type, from_value, edge_type, to_type, to_value, first_seen_ns, last_seen_ns, "
      "count FROM graph_edges ORDER BY edge_type",
      false);
  REQUIRE(q.step());
  CHECK(q.column_text(0) == "user");
  CHECK(q.column_text(1) == "al'ice\"");
  CHECK(q.column_text(2) == "authenticated_from");
  CHECK(q.column_text(3) == "ip");
  CHECK(q.column_text(4) == "203.0.113.9");
  CHECK(q.column_int64(5) == 50);
  CHECK(q.column_int64(6) == 200);
  CHECK(q.column_int64(7) == 5);
  REQUIRE(q.step());
  CHECK(q.column_text(2) == "logged_into");
  CHECK(q.column_text(4) == host.value);
  CHECK(q.column_int64(7) == 1);
  CHECK_FALSE(q.step());
}
