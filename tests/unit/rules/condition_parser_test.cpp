// The condition language: precedence, parentheses, `x of` patterns, and malformed input.
#include <catch2/catch.hpp>
#include <random>

#include "rules/engine/condition_parser.hpp"
#include "tests/unit/rules/rule_helpers.hpp"

namespace sr = seerflow::rules;
using seerflow::rules::testing::one_rule;

namespace {

const std::vector<std::string> ids = {"a", "b", "c", "sel_1", "sel_2", "filter_x", "_hidden"};

// Evaluates the parsed tree with identifier truth values from `truth`.
bool eval(const sr::condition_tree& t, std::uint32_t n, const std::vector<bool>& truth) {
  const auto& node = t.nodes[n];
  switch (node.o) {
    case sr::cond_node::op::and_:
      return eval(t, node.a, truth) && eval(t, node.b, truth);
    case sr::cond_node::op::or_:
      return eval(t, node.a, truth) || eval(t, node.b, truth);
    case sr::cond_node::op::not_:
      return !eval(t, node.a, truth);
    case sr::cond_node::op::ident:
      return truth[node.a];
  }
  return false;
}

bool run(const std::string& cond, std::vector<bool> truth) {
  sr::condition_tree t;
  std::string err;
  REQUIRE(sr::parse_condition(cond, ids, t, err));
  if (t.root == sr::no_field) return false;
  return eval(t, t.root, truth);
}

}  // namespace

TEST_CASE("precedence: not > and > or") {
  //                       a      b      c
  CHECK(run("a or b and c", {true, false, false, false, false, false, false}));
  CHECK_FALSE(run("(a or b) and c", {true, false, false, false, false, false, false}));
  CHECK(run("not a and b", {false, true, false, false, false, false, false}));
  CHECK_FALSE(run("not (a and b)", {true, true, false, false, false, false, false}));
  CHECK(run("not not a", {true, false, false, false, false, false, false}));
  CHECK(run("a and not (b or (c and not a))", {true, false, true, false, false, false, false}));
}

TEST_CASE("x of patterns") {
  CHECK(run("1 of sel_*", {false, false, false, false, true, false, false}));
  CHECK_FALSE(run("all of sel_*", {false, false, false, false, true, false, false}));
  CHECK(run("all of sel_*", {false, false, false, true, true, false, false}));
  CHECK(run("any of sel*", {false, false, false, true, false, false, false}));
  // `them` skips identifiers starting with `_`.
  CHECK_FALSE(run("1 of them", {false, false, false, false, false, false, true}));
  CHECK(run("1 of _hid*", {false, false, false, false, false, false, true}));
  // A pattern that selects nothing drops out.
  CHECK(run("a and not 1 of nothing_*", {true, false, false, false, false, false, false}));
  sr::condition_tree t;
  std::string err;
  REQUIRE(sr::parse_condition("1 of nothing_*", ids, t, err));
  CHECK(t.root == sr::no_field);
}

TEST_CASE("malformed conditions are errors with a reason") {
  const char* bad[] = {
      "a AND b",      "a and",      "(a or b", "a or b)", "a b",         "selection | count() > 5",
      "undefined_id", "1 of",       "not",     "",        "a and and b", "sel_*",
      "a # b",        "all of (a)", "1 of )"};
  for (const char* c : bad) {
    sr::condition_tree t;
    std::string err;
    INFO(c);
    CHECK_FALSE(sr::parse_condition(c, ids, t, err));
    CHECK_FALSE(err.empty());
  }
  sr::condition_tree t;
  std::string err;
  CHECK_FALSE(
      sr::parse_condition(std::string(5000, '(') + "a" + std::string(5000, ')'), ids, t, err));
  std::string chain = "a";
  for (int i = 0; i < 10000; ++i) chain += " and a";
  CHECK_FALSE(sr::parse_condition(chain, ids, t, err));
}

TEST_CASE("random token soup never crashes") {
  const char* toks[] = {"a",  "b",   "and",  "or",    "not", "(",   ")", "1",
                        "of", "all", "them", "sel_*", "|",   "AND", "*", "x"};
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string c;
    const int n = static_cast<int>(rng() % 12);
    for (int k = 0; k < n; ++k) c += std::string(toks[rng() % std::size(toks)]) + " ";
    sr::condition_tree t;
    std::string err;
    const bool ok = sr::parse_condition(c, ids, t, err);
    CHECK((ok || !err.empty()));
  }
}

TEST_CASE("identifiers are whole words; condition lists are OR-ed") {
  one_rule r("  notepad: {f: 1}\n  order: {g: 2}\n  condition: notepad or order\n");
  REQUIRE(r.loaded());
  CHECK(r.match(R"({"g": 2})"));
  one_rule l("  a: {f: 1}\n  b: {g: 2}\n  condition:\n    - a\n    - b\n");
  REQUIRE(l.loaded());
  CHECK(l.match(R"({"g": 2})"));
  CHECK_FALSE(l.match(R"({"g": 3})"));
}
