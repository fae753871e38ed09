#include "runtime/console/query_params.hpp"

#include <catch2/catch.hpp>

using seerflow::console::parse_query;

TEST_CASE("query strings are split and percent-decoded", "[console][query]") {
  auto q = parse_query("name=store&limit=20&q=web%2Dprod+01&flag&=empty&&x=1&x=2");
  REQUIRE(q);
  CHECK(q->at("name") == "store");
  CHECK(q->at("limit") == "20");
  CHECK(q->at("q") == "web-prod 01");
  CHECK(q->at("flag").empty());
  CHECK(q->at("").empty() == false);
  CHECK(q->at("x") == "2");
  CHECK(parse_query("")->empty());
}

TEST_CASE("broken and hostile query strings are refused", "[console][query]") {
  CHECK_FALSE(parse_query("a=%4"));
  CHECK_FALSE(parse_query("a=%"));
  CHECK_FALSE(parse_query("a=%zz"));
  CHECK_FALSE(parse_query("a=%00"));
  CHECK_FALSE(parse_query(std::string(9000, 'a')));
  std::string many;
  for (int i = 0; i < 65; ++i) many += "k" + std::to_string(i) + "=1&";
  CHECK_FALSE(parse_query(many));
  // Binary bytes that are not NUL are kept as they are: callers compare, never interpret.
  auto b = parse_query("v=%FF%FE");
  REQUIRE(b);
  CHECK(b->at("v") == "\xFF\xFE");
}
