#include <catch2/catch.hpp>

#include "runtime/config/loader.hpp"
#include "tests/unit/config/config_test_support.hpp"

using namespace seerflow::config;
using seerflow::config::test::env_of;
using seerflow::config::test::error_lines;
using seerflow::config::test::load;
using lines = std::vector<std::string>;

TEST_CASE("a valid nested tree replaces the built-in one") {
  const load_result r = load(
      "supervision:\n"                                             // 1
      "  name: top\n"                                              // 2
      "  strategy: rest_for_one\n"                                 // 3
      "  max_restarts: 0\n"                                        // 4
      "  within: 1m\n"                                             // 5
      "  children:\n"                                              // 6
      "    - name: db\n"                                           // 7
      "      kind: store\n"                                        // 8
      "      restart: transient\n"                                 // 9
      "      args:\n"                                              // 10
      "        path: /tmp/x.db\n"                                  // 11
      "        retries: 3\n"                                       // 12
      "        empty:\n"                                           // 13
      "    - name: workers\n"                                      // 14
      "      strategy: one_for_all\n"                              // 15
      "      children:\n"                                          // 16
      "        - {name: w.1, kind: worker, restart: temporary}\n"  // 17
      "        - name: w-2\n"                                      // 18
      "          kind: worker\n");                                 // 19
  REQUIRE(error_lines(r).empty());
  const tree_node& top = r.value.supervision;
  CHECK(top.name == "top");
  CHECK(top.kind == "supervisor");
  CHECK(top.strategy == "rest_for_one");
  CHECK(top.max_restarts == 0);
  CHECK(top.within_ms == 60'000);
  CHECK(top.where == location{"t.yaml", 2, 3});
  REQUIRE(top.children.size() == 2);

  const tree_node& db = top.children[0];
  CHECK(db.name == "db");
  CHECK(db.kind == "store");
  CHECK(db.restart == "transient");
  CHECK(db.args ==
        std::map<std::string, std::string>{{"path", "/tmp/x.db"}, {"retries", "3"}, {"empty", ""}});
  CHECK(db.children.empty());
  CHECK(db.where == location{"t.yaml", 7, 7});

  const tree_node& workers = top.children[1];
  CHECK(workers.kind == "supervisor");
  CHECK(workers.strategy == "one_for_all");
  CHECK(workers.max_restarts == 5);  // tree_node defaults
  CHECK(workers.within_ms == 10'000);
  REQUIRE(workers.children.size() == 2);
  CHECK(workers.children[0].name == "w.1");
  CHECK(workers.children[0].restart == "temporary");
  CHECK(workers.children[0].where == location{"t.yaml", 17, 11});
  CHECK(workers.children[1].name == "w-2");
  CHECK(workers.children[1].restart == "permanent");
  CHECK(workers.children[1].where == location{"t.yaml", 18, 11});
}

TEST_CASE("an empty supervision section keeps the built-in tree") {
  const load_result r = load("supervision:\n");
  CHECK(r.ok());
  CHECK(r.value.supervision == default_supervision_tree());
}

TEST_CASE("tree values are interpolated") {
  const load_result r = load(
      "supervision:\n  name: ${ROOT:-root}\n  children:\n    - name: ${LEAF}\n      kind: x\n"
      "      args: {url: '${URL}', lit: '$${x}'}\n",
      env_of({{"LEAF", "leaf"}, {"URL", "http://h:1/"}}));
  REQUIRE(error_lines(r).empty());
  CHECK(r.value.supervision.name == "root");
  CHECK(r.value.supervision.children.at(0).name == "leaf");
  CHECK(r.value.supervision.children.at(0).args ==
        std::map<std::string, std::string>{{"url", "http://h:1/"}, {"lit", "${x}"}});
}

TEST_CASE("structural errors of a node") {
  const load_result r = load(
      "supervision:\n"                          // 1
      "  name: root\n"                          // 2
      "  children:\n"                           // 3
      "    - kind: store\n"                     // 4  no name
      "    - name: bad name\n"                  // 5  invalid name
      "      kind: store\n"                     // 6
      "    - name: leaf\n"                      // 7  no kind, no children
      "    - name: parent\n"                    // 8
      "      kind: store\n"                     // 9
      "      children: [{name: c, kind: x}]\n"  // 10 leaf with children
      "    - name: lonely\n"                    // 11
      "      kind: supervisor\n"                // 12 supervisor without children
      "    - name: empty\n"                     // 13
      "      children: []\n"                    // 14 empty children
      "    - name: root\n"                      // 15 duplicate name
      "      kind: x\n"                         // 16
      "    - just a string\n"                   // 17 not a mapping
      "    - name: s\n"                         // 18
      "      strategy: one_for_none\n"          // 19
      "      max_restarts: -1\n"                // 20
      "      within: 0s\n"                      // 21
      "      restart: always\n"                 // 22 restart on a supervisor
      "      children: {a: 1}\n"                // 23 children not a sequence
      "    - name: l\n"                         // 24
      "      kind: x\n"                         // 25
      "      strategy: one_for_all\n"           // 26 strategy on a leaf
      "      restart: sometimes\n"              // 27
      "      args: [1, 2]\n"                    // 28
      "      chidren: []\n"                     // 29 unknown key
      "    - name: m\n"                         // 30
      "      kind: x\n"                         // 31
      "      args: {a: [1], b: 2}\n"            // 32 nested arg
      "      name: m2\n");                      // 33 duplicate key
  CHECK(error_lines(r) ==
        lines{
            "t.yaml:4:7: supervision.children[0]: missing required key 'name'",
            "t.yaml:5:13: supervision.children[1].name: expected a name of 1 to 128 characters "
            "from A-Z, a-z, 0-9, '_', '.' and '-', got 'bad name'",
            "t.yaml:7:7: supervision.children[2]: missing required key 'kind' (a leaf names an "
            "actor kind; a supervisor has children)",
            "t.yaml:10:7: supervision.children[3].children: only a supervisor has children (this "
            "node's kind is 'store')",
            "t.yaml:11:7: supervision.children[4]: a supervisor needs at least one child "
            "('children' is missing)",
            "t.yaml:14:17: supervision.children[5].children: a supervisor needs at least one "
            "child",
            "t.yaml:15:13: supervision.children[6].name: duplicate name 'root' (first used at "
            "line 2, column 9); names are unique in the tree",
            "t.yaml:17:7: supervision.children[7]: expected a node (a mapping with name and "
            "kind), got a scalar",
            "t.yaml:19:17: supervision.children[8].strategy: expected one of "
            "one_for_one|one_for_all|rest_for_one, got 'one_for_none'",
            "t.yaml:20:21: supervision.children[8].max_restarts: '-1' is out of range "
            "(0..1000000)",
            "t.yaml:21:15: supervision.children[8].within: '0s' is out of range (1ms..365d)",
            "t.yaml:22:7: supervision.children[8].restart: 'restart' applies to leaves only",
            "t.yaml:23:17: supervision.children[8].children: expected a sequence of nodes, got a "
            "mapping",
            "t.yaml:29:7: supervision.children[9].chidren: unknown key; did you mean "
            "'children'?",
            "t.yaml:26:7: supervision.children[9].strategy: 'strategy' applies to supervisors "
            "only",
            "t.yaml:27:16: supervision.children[9].restart: expected one of "
            "permanent|transient|temporary, got 'sometimes'",
            "t.yaml:28:13: supervision.children[9].args: expected a mapping of argument names to "
            "values, got a sequence",
            "t.yaml:33:7: supervision.children[10].name: duplicate key (first defined at line 30, "
            "column 7)",
            "t.yaml:32:17: supervision.children[10].args.a: expected a scalar value, got a "
            "sequence",
        });
}

TEST_CASE("the root must be a supervisor, a node must be a mapping") {
  CHECK(error_lines(load("supervision:\n  name: solo\n  kind: store\n")) ==
        lines{"t.yaml:2:3: supervision: the root of the supervision tree must be a supervisor "
              "(give it children)"});
  CHECK(error_lines(load("supervision: [a]\n")) ==
        lines{"t.yaml:1:14: supervision: expected a node (a mapping with name and kind), got a "
              "sequence"});
  CHECK(error_lines(load("supervision:\n  name: r\n  children:\n    -\n")) ==
        lines{"t.yaml:5:1: supervision.children[0]: expected a node (a mapping with name and "
              "kind), got an empty value"});
  CHECK(error_lines(load("supervision:\n  name: r\n  children: x\n")) ==
        lines{"t.yaml:3:13: supervision.children: expected a sequence of nodes, got a scalar"});
}

TEST_CASE("names are unique across the whole tree") {
  const load_result r = load(
      "supervision:\n  name: root\n  children:\n"
      "    - name: a\n      children:\n        - name: x\n          kind: k\n"
      "    - name: b\n      children:\n        - name: x\n          kind: k\n");
  CHECK(error_lines(r) ==
        lines{"t.yaml:10:17: supervision.children[1].children[0].name: duplicate name 'x' (first "
              "used at line 6, column 17); names are unique in the tree"});
}

TEST_CASE("depth and size limits hold against hostile trees") {
  // A chain of 17 nodes: the 17th level is refused.
  auto chain = [](int levels) {
    std::string flow = "{name: n" + std::to_string(levels) + ", kind: k}";
    for (int level = levels - 1; level >= 1; --level) {
      flow = "{name: n" + std::to_string(level) + ", children: [" + flow + "]}";
    }
    return "supervision: " + flow + "\n";
  };
  const std::string deep = chain(17);
  const load_result d = load(deep);
  REQUIRE(d.errors.size() == 1);
  CHECK(d.errors[0].key == "supervision" + [] {
    std::string p;
    for (int i = 0; i < 16; ++i) p += ".children[0]";
    return p;
  }());
  CHECK(d.errors[0].message == "the supervision tree is deeper than 16 levels");

  // 16 levels are fine.
  const load_result ok = load(chain(16));
  CHECK(error_lines(ok).empty());
  std::size_t depth = 1;
  for (const tree_node* n = &ok.value.supervision; !n->children.empty(); n = &n->children[0]) {
    ++depth;
  }
  CHECK(depth == 16);

  // 1001 nodes: refused once, not once per extra node.
  std::string wide = "supervision:\n  name: root\n  children:\n";
  for (int i = 0; i < 1100; ++i) wide += "    - {name: n" + std::to_string(i) + ", kind: k}\n";
  const load_result w = load(wide);
  CHECK(error_lines(w) == lines{"t.yaml:1003:7: supervision.children[999]: the supervision "
                                "tree has more than 1000 nodes"});
}
