// Random and mutated input must never crash the loader: every outcome is either a clean load
// or errors with a reason, each printable on one line.
#include <catch2/catch.hpp>

#include <fstream>
#include <random>
#include <sstream>

#include "runtime/config/loader.hpp"
#include "tests/unit/config/config_test_support.hpp"

using namespace seerflow::config;
using seerflow::config::test::env_of;

namespace {

std::string example_text() {
  std::ifstream in(std::string(SEERFLOW_SOURCE_DIR) + "/conf/seerflow.example.yaml",
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void check_outcome(const load_result& r) {
  for (const auto& e : r.errors) {
    const std::string line = to_string(e);
    INFO(line);
    CHECK_FALSE(e.message.empty());
    CHECK(line.find('\n') == std::string::npos);
    CHECK(line.rfind("t.yaml", 0) == 0);
  }
}

}  // namespace

TEST_CASE("random bytes never crash the loader") {
  std::mt19937_64 rng(20260521);
  const auto env = env_of({{"HOME", "/h"}, {"X", "1"}});
  std::size_t ok = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text(rng() % 300, '\0');
    // Half the inputs draw from YAML's punctuation so the parser gets past the first byte.
    static constexpr char yamlish[] = "{}[]:,-?&*!|>'\"%@`#\n \t$abc019.~";
    for (auto& c : text) {
      c = (i % 2 == 0) ? static_cast<char>(rng() & 0xFF) : yamlish[rng() % (sizeof yamlish - 1)];
    }
    const load_result r = load_string(text, "t.yaml", env);
    check_outcome(r);
    if (r.ok()) ++ok;
  }
  // Some punctuation-only inputs are valid (comments, empty documents), most are not.
  CHECK(ok > 0);
  CHECK(ok < 3000);
}

TEST_CASE("random mutations of the example file never crash the loader") {
  const std::string base = example_text();
  REQUIRE_FALSE(base.empty());
  std::mt19937_64 rng(7);
  const auto env = env_of({{"HOME", "/h"}});
  static constexpr char interesting[] = "{}[]:,-&*!|>'\"\n #$~0123456789.";
  std::size_t rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = base;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < edits && !text.empty(); ++k) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 5) {
        case 0:
          text[at] = interesting[rng() % (sizeof interesting - 1)];
          break;
        case 1:
          text.insert(at, 1, interesting[rng() % (sizeof interesting - 1)]);
          break;
        case 2:
          text.erase(at, 1 + rng() % 20);
          break;
        case 3:
          text[at] = static_cast<char>(rng() & 0xFF);
          break;
        case 4:
          text.insert(at, text.substr(rng() % text.size(), rng() % 40));
          break;
      }
    }
    const load_result r = load_string(text, "t.yaml", env);
    check_outcome(r);
    if (!r.ok()) ++rejected;
  }
  CHECK(rejected > 100);
}

TEST_CASE("truncated example files load or fail cleanly") {
  const std::string base = example_text();
  const auto env = env_of({{"HOME", "/h"}});
  for (std::size_t n = 0; n < base.size(); n += 7) {
    check_outcome(load_string(base.substr(0, n), "t.yaml", env));
  }
}
