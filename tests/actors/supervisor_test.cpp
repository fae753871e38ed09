// The supervisor, deterministically: strategies, restart intensity, escalation, restart
// policies and ordered shutdown, with a catalog of test workers that record what happens.
#include <catch2/catch.hpp>

#include <list>
#include <map>
#include <string>
#include <vector>

#include "actors/catalog.hpp"
#include "actors/supervisor.hpp"
#include "tests/actors/test_system.hpp"

using namespace seerflow;
using crash_atom = caf::atom_constant<caf::atom("crash")>;
using finish_atom = caf::atom_constant<caf::atom("finish")>;

namespace Catch {
template <>
struct StringMaker<std::map<std::string, int>> {
  static std::string convert(const std::map<std::string, int>& m) {
    std::string out = "{";
    for (const auto& [k, v] : m) out += " " + k + "=" + std::to_string(v);
    return out + " }";
  }
};
}  // namespace Catch

namespace {

struct journal {
  std::map<std::string, int> starts;
  std::vector<std::string> stopped;  // in the order workers handled shutdown
};

journal* g_journal = nullptr;

caf::behavior worker(caf::event_based_actor* self, std::string name) {
  ++g_journal->starts[name];
  return {
      [=](messages::shutdown_atom) {
        g_journal->stopped.push_back(name);
        self->quit();
      },
      [=](crash_atom) { self->quit(caf::make_error(caf::sec::runtime_error, "crash")); },
      [=](finish_atom) { self->quit(); },  // a normal exit
  };
}

actors::catalog test_catalog() {
  actors::catalog c;
  c.add({"worker", "test worker", {}, [](const actors::spawn_env& env) {
           return env.parent->spawn(worker, env.node->name);
         }});
  return c;
}

config::tree_node leaf(std::string name, std::string restart = "permanent") {
  config::tree_node n;
  n.name = std::move(name);
  n.kind = "worker";
  n.restart = std::move(restart);
  return n;
}

config::tree_node sup(std::string name, std::string strategy, int max_restarts,
                      std::vector<config::tree_node> children) {
  config::tree_node n;
  n.name = std::move(name);
  n.kind = "supervisor";
  n.strategy = std::move(strategy);
  n.max_restarts = max_restarts;
  n.within_ms = 10000;
  n.children = std::move(children);
  return n;
}

struct fixture : test::test_system {
  journal j;
  actors::catalog cat = test_catalog();
  std::list<config::tree_node> trees;  // supervisors point into these: they must outlive them
  std::vector<caf::actor> roots;
  caf::actor root;
  bool root_exited = false;
  std::string root_reason;

  fixture() { g_journal = &j; }
  ~fixture() {
    for (auto& r : roots) caf::anon_send_exit(r, caf::exit_reason::kill);
    run();
    g_journal = nullptr;
  }

  void boot(config::tree_node tree_in) {
    const auto& tree = trees.emplace_back(std::move(tree_in));
    root = sys->spawn(actors::supervisor_impl, &ctx, &cat, &tree, std::string{});
    roots.push_back(root);
    root->attach_functor([this](const caf::error& reason) {
      root_exited = true;
      root_reason = reason ? caf::to_string(reason) : "";
    });
    run();
  }

  void crash(const std::string& name) {
    auto h = registry->get(name);
    REQUIRE(h);
    caf::anon_send(h, crash_atom::value);
    run();
  }
};

}  // namespace

TEST_CASE_METHOD(fixture, "one_for_one restarts only the failed child") {
  auto tree = sup("root", "one_for_one", 5, {leaf("a"), leaf("b"), leaf("c")});
  boot(tree);
  CHECK(j.starts == std::map<std::string, int>{{"a", 1}, {"b", 1}, {"c", 1}});
  auto old_b = registry->get("b");
  crash("b");
  CHECK(j.starts == std::map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 1}});
  // The registry follows the new incarnation.
  CHECK(registry->get("b") != old_b);
  CHECK(registry->get("b"));
  CHECK_FALSE(root_exited);
}

TEST_CASE_METHOD(fixture, "one_for_all restarts every child, in start order") {
  auto tree = sup("root", "one_for_all", 5, {leaf("a"), leaf("b"), leaf("c")});
  boot(tree);
  crash("b");
  CHECK(j.starts == std::map<std::string, int>{{"a", 2}, {"b", 2}, {"c", 2}});
  CHECK(registry->get("a"));
  CHECK(registry->get("c"));
}

TEST_CASE_METHOD(fixture, "rest_for_one restarts the failed child and those started after it") {
  auto tree = sup("root", "rest_for_one", 5, {leaf("a"), leaf("b"), leaf("c")});
  boot(tree);
  crash("b");
  CHECK(j.starts == std::map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 2}});
  crash("c");
  CHECK(j.starts == std::map<std::string, int>{{"a", 1}, {"b", 2}, {"c", 3}});
}

TEST_CASE_METHOD(fixture, "more restarts than the intensity allows make the supervisor give up") {
  auto tree = sup("root", "one_for_one", 2, {leaf("a"), leaf("b")});
  boot(tree);
  crash("a");
  crash("a");
  CHECK(j.starts["a"] == 3);
  CHECK_FALSE(root_exited);
  crash("a");  // third restart within 10 s: over the intensity of 2
  CHECK(root_exited);
  CHECK(root_reason.find("exceeded its restart intensity") != std::string::npos);
  // It stopped its remaining children before leaving.
  CHECK_FALSE(registry->get("b"));
}

TEST_CASE_METHOD(fixture, "restarts spread beyond the window stay within the intensity") {
  auto tree = sup("root", "one_for_one", 2, {leaf("a")});
  boot(tree);
  for (int i = 0; i < 6; ++i) {
    crash("a");
    advance(std::chrono::milliseconds(6000));  // at most two restarts fall within any 10 s
  }
  CHECK(j.starts["a"] == 7);
  CHECK_FALSE(root_exited);
}

TEST_CASE_METHOD(fixture, "a supervisor that gives up escalates to its parent, which restarts it") {
  auto tree = sup("root", "one_for_one", 5,
                  {leaf("a"), sup("inner", "one_for_one", 1, {leaf("x"), leaf("y")})});
  boot(tree);
  crash("x");  // inner restarts x (1 of 1)
  CHECK(j.starts["x"] == 2);
  crash("x");  // inner gives up -> root restarts inner -> x and y start again
  CHECK(j.starts["x"] == 3);
  CHECK(j.starts["y"] == 2);
  CHECK(j.starts["a"] == 1);
  CHECK_FALSE(root_exited);
  CHECK(registry->get("inner"));
}

TEST_CASE_METHOD(fixture,
                 "temporary children are never restarted, transient ones only on failure") {
  auto tree =
      sup("root", "one_for_one", 5, {leaf("t", "temporary"), leaf("tr", "transient"), leaf("p")});
  boot(tree);
  crash("t");
  CHECK(j.starts["t"] == 1);
  caf::anon_send(registry->get("tr"), finish_atom::value);  // normal exit: stays stopped
  run();
  CHECK(j.starts["tr"] == 1);
  CHECK_FALSE(registry->get("tr"));
  auto tree2 = sup("root2", "one_for_one", 5, {leaf("tr2", "transient")});
  boot(tree2);
  crash("tr2");  // abnormal exit: restarted
  CHECK(j.starts["tr2"] == 2);
}

TEST_CASE_METHOD(fixture, "ordered shutdown stops children newest first, then the supervisor") {
  auto tree = sup("root", "one_for_one", 5,
                  {leaf("a"), sup("inner", "one_for_one", 5, {leaf("x"), leaf("y")}), leaf("c")});
  boot(tree);
  caf::anon_send(root, messages::shutdown_atom::value);
  run();
  CHECK(j.stopped == std::vector<std::string>{"c", "y", "x", "a"});
  CHECK(root_exited);
  CHECK(root_reason.empty());
  // Nothing was restarted during the shutdown.
  CHECK(j.starts == std::map<std::string, int>{{"a", 1}, {"c", 1}, {"x", 1}, {"y", 1}});
}

TEST_CASE_METHOD(fixture, "an operator restart of a named child goes through the strategy") {
  auto tree = sup("root", "one_for_one", 5, {leaf("a"), leaf("b")});
  boot(tree);
  caf::anon_send(root, messages::restart_atom::value, std::string("b"));
  run();
  CHECK(j.starts["b"] == 2);
  CHECK(j.starts["a"] == 1);
}

TEST_CASE_METHOD(fixture, "a child that fails to spawn counts as a failed start") {
  actors::catalog broken;
  broken.add({"worker", "throws", {}, [](const actors::spawn_env&) -> caf::actor {
                throw std::runtime_error("cannot bind port 5514: Address already in use");
              }});
  cat = broken;
  auto tree = sup("root", "one_for_one", 2, {leaf("a")});
  boot(tree);
  CHECK(root_exited);
  CHECK(root_reason.find("exceeded its restart intensity") != std::string::npos);
}
