// conf/seerflow.example.yaml documents every key with its default; these tests keep the file
// and settings.hpp from drifting apart.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "runtime/config/loader.hpp"
#include "runtime/config/schema.hpp"
#include "runtime/config/yaml_document.hpp"
#include "tests/unit/config/config_test_support.hpp"

using namespace seerflow::config;
using seerflow::config::test::error_lines;
using seerflow::config::test::test_env;

namespace {

const std::string example_path = std::string(SEERFLOW_SOURCE_DIR) + "/conf/seerflow.example.yaml";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Dotted paths of every scalar or sequence written in the document.
void collect_keys(const yaml_node& n, const std::string& path, std::vector<std::string>& out) {
  if (!n.is_mapping()) {
    out.push_back(path);
    return;
  }
  for (std::size_t i = 0; i + 1 < n.items.size(); i += 2) {
    const std::string key = path.empty() ? n.items[i].text : path + "." + n.items[i].text;
    collect_keys(n.items[i + 1], key, out);
  }
}

}  // namespace

TEST_CASE("the example file loads without errors and equals the defaults, field by field") {
  const load_result r = load_file(example_path, test_env());
  CHECK(error_lines(r).empty());
  const settings defaults = default_settings(test_env());
  for (const auto& e : schema()) {
    INFO(e.key);
    CHECK(render_value(e, r.value) == render_value(e, defaults));
  }
  CHECK(r.value.supervision == defaults.supervision);
  settings loaded = r.value;
  CHECK(loaded.origin == example_path);
  loaded.origin.clear();
  CHECK(loaded == defaults);
}

TEST_CASE("the example file spells out every key, and only known keys") {
  const yaml_document doc = parse_yaml_document(read_text(example_path), example_path);
  REQUIRE(doc.errors.empty());
  std::vector<std::string> written;
  collect_keys(doc.root, "", written);
  std::vector<std::string> expected;
  for (const auto& e : schema()) {
    expected.emplace_back(e.key);
    // The endpoint list has a structure of its own (webhook_endpoints_reader), not a row.
    if (e.key == "receivers.webhooks.tls_key")
      expected.emplace_back("receivers.webhooks.endpoints");
  }
  CHECK(written == expected);  // same keys, in schema order
}

TEST_CASE("the commented supervision example in the example file is the built-in tree") {
  std::istringstream in(read_text(example_path));
  std::string line;
  std::string tree;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line == "# supervision:") inside = true;
    if (inside && line.rfind("# ", 0) == 0) tree += line.substr(2) + "\n";
  }
  REQUIRE_FALSE(tree.empty());
  const load_result r = load_string(tree, "example-tree", test_env());
  CHECK(error_lines(r).empty());
  // Same tree apart from where each node was read.
  std::function<void(const tree_node&, const tree_node&)> same = [&](const tree_node& a,
                                                                     const tree_node& b) {
    INFO(a.name);
    CHECK(a.name == b.name);
    CHECK(a.kind == b.kind);
    CHECK(a.strategy == b.strategy);
    CHECK(a.max_restarts == b.max_restarts);
    CHECK(a.within_ms == b.within_ms);
    CHECK(a.restart == b.restart);
    CHECK(a.args == b.args);
    REQUIRE(a.children.size() == b.children.size());
    for (std::size_t i = 0; i < a.children.size(); ++i) same(a.children[i], b.children[i]);
  };
  same(r.value.supervision, default_supervision_tree());
  CHECK(r.value.supervision.where.file == "example-tree");
}
