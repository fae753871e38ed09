#include "runtime/config/schema.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <set>
#include <sstream>

#include "runtime/config/loader.hpp"
#include "runtime/config/to_yaml.hpp"
#include "tests/unit/config/config_test_support.hpp"

using namespace seerflow::config;
using seerflow::config::test::error_lines;
using seerflow::config::test::test_env;

namespace {

template <class T>
bool bounds_fit(const schema_entry& e) {
  return e.min >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
         static_cast<std::uint64_t>(e.max) <= std::numeric_limits<T>::max() && e.min <= e.max;
}

std::vector<std::string> split_columns(const std::string& line) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < line.size()) {
    const std::size_t gap = line.find("  ", i);
    out.push_back(line.substr(i, gap - i));
    if (gap == std::string::npos) break;
    i = line.find_first_not_of(' ', gap);
  }
  return out;
}

}  // namespace

TEST_CASE("every schema row points at a field of its type, within the field's range") {
  std::set<std::string_view> keys;
  std::set<const void*> fields;
  settings s;
  for (const auto& e : schema()) {
    INFO(e.key);
    CHECK(keys.insert(e.key).second);
    CHECK_FALSE(e.description.empty());
    CHECK(find_entry(e.key) == &e);
    const field_ref f = e.field(s);
    const void* address = std::visit([](auto* p) -> const void* { return p; }, f);
    CHECK(fields.insert(address).second);  // no two keys share a field
    switch (e.type) {
      case value_type::boolean:
        CHECK(std::holds_alternative<bool*>(f));
        break;
      case value_type::number:
        CHECK(std::holds_alternative<double*>(f));
        CHECK(e.min_number <= e.max_number);
        CHECK(*std::get<double*>(f) >= e.min_number);
        CHECK(*std::get<double*>(f) <= e.max_number);
        break;
      case value_type::text:
      case value_type::choice:
        CHECK(std::holds_alternative<std::string*>(f));
        break;
      case value_type::text_list:
        CHECK(std::holds_alternative<std::vector<std::string>*>(f));
        // A list either has fixed choices or checks each item (free texts such as patterns).
        CHECK((!e.choices.empty() || e.check != nullptr));
        break;
      case value_type::integer:
      case value_type::duration:
      case value_type::size: {
        bool fits = false;
        std::int64_t current = 0;
        std::visit(
            [&](auto* p) {
              using T = std::remove_pointer_t<decltype(p)>;
              if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
                fits = bounds_fit<T>(e);
                current = static_cast<std::int64_t>(*p);
              }
            },
            f);
        CHECK(fits);
        CHECK(current >= e.min);  // the default itself is valid
        CHECK(current <= e.max);
        if (e.type == value_type::duration) CHECK(std::holds_alternative<std::int64_t*>(f));
        break;
      }
    }
    if (e.type == value_type::choice) {
      const std::string value = *std::get<std::string*>(f);
      CHECK(std::find(e.choices.begin(), e.choices.end(), value) != e.choices.end());
    }
  }
  CHECK(schema().size() == 158);
}

TEST_CASE("schema rows are grouped by section and sections are known") {
  std::vector<std::string> sections_seen;
  std::string current;
  for (const auto& e : schema()) {
    const std::size_t dot = e.key.rfind('.');
    const std::string section =
        dot == std::string_view::npos ? "" : std::string(e.key.substr(0, dot));
    if (section != current) {
      INFO(section);
      CHECK(std::find(sections_seen.begin(), sections_seen.end(), section) == sections_seen.end());
      sections_seen.push_back(section);
      current = section;
    }
  }
  CHECK(is_section("receivers"));
  CHECK(is_section("receivers.syslog"));
  CHECK(is_section("receivers.syslog.udp"));
  CHECK_FALSE(is_section("receivers.syslog.udp.port"));
  CHECK_FALSE(is_section("receiver"));
  CHECK_FALSE(is_section(""));
  const auto& paths = known_paths();
  CHECK(std::find(paths.begin(), paths.end(), "supervision") != paths.end());
  CHECK(std::find(paths.begin(), paths.end(), "receivers.syslog.tcp") != paths.end());
}

TEST_CASE("describe_schema lists key, type, default and description") {
  const std::string text = describe_schema();
  std::istringstream in(text);
  std::string line;
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) rows.push_back(split_columns(line));
  REQUIRE(rows.size() == 1 + schema().size() + 1 + 8 + 1 + 15 + 1 + 13);
  CHECK(rows[0] == std::vector<std::string>{"KEY", "TYPE", "DEFAULT", "DESCRIPTION"});
  auto row = [&](const std::string& key) {
    for (const auto& r : rows) {
      if (r.at(0) == key) return r;
    }
    return std::vector<std::string>{};
  };
  CHECK(row("receivers.syslog.udp.port") ==
        std::vector<std::string>{"receivers.syslog.udp.port", "integer 0..65535", "5514",
                                 "UDP port; 0 = any free port (reported at start)"});
  CHECK(row("pipeline.batch_linger") ==
        std::vector<std::string>{"pipeline.batch_linger", "duration 0ms..1h", "5ms",
                                 "a partial batch is handed over after this long"});
  CHECK(row("receivers.syslog.udp.receive_buffer").at(2) == "4MiB");
  CHECK(row("receivers.syslog.udp.receive_buffer").at(1) == "size 1KiB..1GiB");
  CHECK(row("parse.invalid_utf8").at(1) == "repair|reject");
  CHECK(row("drain.similarity").at(1) == "number 0..1");
  CHECK(row("drain.similarity").at(2) == "0.4");
  CHECK(row("entities.types").at(2) == "[ip, user, host, file, domain, process]");
  CHECK(row("data_dir").at(2) == "\"\"");
  CHECK(row("supervision.within").at(2) == "10s");
  CHECK(row("supervision.restart").at(1) == "permanent|transient|temporary");
}

TEST_CASE("to_yaml renders the defaults readably and loads back to the same settings") {
  const settings defaults = default_settings(test_env());
  const std::string yaml = to_yaml(defaults);
  CHECK(yaml.find("receivers:\n  syslog:\n    source: syslog\n    udp:\n      enabled: true\n") !=
        std::string::npos);
  CHECK(yaml.find("      idle_timeout: 10m\n") != std::string::npos);
  CHECK(yaml.find("  batch_linger: 5ms\n") != std::string::npos);
  CHECK(yaml.find("      receive_buffer: 4MiB\n") != std::string::npos);
  CHECK(yaml.find("  types: [ip, user, host, file, domain, process]\n") != std::string::npos);
  CHECK(yaml.find("supervision:\n  name: root\n  kind: supervisor\n") != std::string::npos);
  const load_result back = load_string(yaml, "shown.yaml", test_env());
  CHECK(error_lines(back).empty());
  for (const auto& e : schema()) {
    INFO(e.key);
    CHECK(render_value(e, back.value) == render_value(e, defaults));
  }
}

TEST_CASE("to_yaml round-trips unusual values exactly") {
  settings s = default_settings(test_env());
  s.data_dir = "/srv/${not a var}/data: #x";
  s.storage.path = "";
  s.node_name = "yes";
  s.receivers.syslog.udp.port = 0;
  s.receivers.syslog.udp.max_record = 1;
  s.pipeline.batch_linger_ms = 1500;
  s.drain.similarity = 0.1 + 0.2;
  s.entities.types = {};
  s.parse.timezone = "-08:00";
  s.supervision = tree_node{};
  s.supervision.name = "r";
  s.supervision.kind = "supervisor";
  s.supervision.strategy = "one_for_all";
  s.supervision.max_restarts = 0;
  s.supervision.within_ms = 1;
  tree_node leaf;
  leaf.name = "leaf";
  leaf.kind = "worker";
  leaf.restart = "temporary";
  leaf.args = {{"empty", ""},
               {"quote", "it's \"x\""},
               {"dollar", "$${y}"},
               {"text", "~"},
               {"unicode", "caf\xC3\xA9"}};
  s.supervision.children.push_back(leaf);

  const load_result back = load_string(to_yaml(s), "shown.yaml", test_env());
  REQUIRE(error_lines(back).empty());
  settings got = back.value;
  // Paths resolve on load, so an empty storage.path comes back resolved.
  CHECK(got.storage.path == "/srv/${not a var}/data: #x/seerflow.db");
  got.storage.path = "";
  got.origin = s.origin;
  // Tree locations name where each node was read.
  got.supervision.where = s.supervision.where;
  got.supervision.children.at(0).where = s.supervision.children.at(0).where;
  CHECK(got == s);
}
