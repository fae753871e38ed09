// Hostile rule files: malformed, truncated, binary, oversized, alias bombs, deep nesting and
// wrong types are rejected with a reason; the other documents of a file still load.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "rules/engine/rule_set.hpp"

namespace sr = seerflow::rules;
namespace fs = std::filesystem;

namespace {

const std::string good =
    "title: good\nid: g1\nlogsource: {product: linux}\ndetection:\n  sel:\n    f|contains: x\n"
    "  condition: sel\n";

std::size_t load(const std::string& text, sr::rule_set& rs) {
  rs.add_yaml(text, "hostile.yml");
  rs.finalize();
  return rs.rules().size();
}

}  // namespace

TEST_CASE("wrong shapes are rejected, the rest of the file loads") {
  const char* bad[] = {
      "title: x\ndetection: [1, 2]\n",
      "title: x\ndetection:\n  sel: {f: 1}\n",
      "title: x\ndetection:\n  sel: {f: 1}\n  condition: {a: b}\n",
      "title: x\ndetection:\n  sel: {f: {nested: map}}\n  condition: sel\n",
      "title: x\ndetection:\n  sel: {f: [[1]]}\n  condition: sel\n",
      "title: x\ndetection:\n  sel: [{f: 1}, 'kw']\n  condition: sel\n",
      "title: x\ndetection:\n  sel:\n  condition: sel\n",
      "title: x\nlogsource: [a]\ndetection:\n  sel: {f: 1}\n  condition: sel\n",
      "just a scalar\n",
      "- a\n- list\n",
      "title: only metadata\n",
      "title: c\ncorrelation: {type: event_count, rules: [g1], timespan: 5x, condition: {gte: "
      "2}}\n",
      "title: c\ncorrelation: {type: value_sum, rules: [g1], timespan: 5m, condition: {gte: 2}}\n",
      "title: c\ncorrelation: {type: event_count, rules: [g1], timespan: 5m}\n",
      "title: c\ncorrelation: {type: value_count, rules: [g1], timespan: 5m, condition: {gte: "
      "2}}\n",
      "title: c\ncorrelation: {type: event_count, rules: [nope], timespan: 5m, condition: {gte: "
      "2}}\n",
  };
  for (const char* b : bad) {
    INFO(b);
    sr::rule_set rs;
    CHECK(load(good + "---\n" + b, rs) == 1);
    REQUIRE(rs.rejections().size() == 1);
    CHECK_FALSE(rs.rejections()[0].reason.empty());
    CHECK(rs.rejections()[0].file == "hostile.yml");
  }
}

TEST_CASE("malformed, binary, oversized and bomb inputs") {
  std::vector<std::string> inputs = {
      "title: [unclosed\n",
      "detection:\n  sel: {f: 'unterminated\n",
      std::string("title: x\0\x01\x02 binary", 18),  // the literal without its NUL
      "\xff\xfe\x00t\x00i\x00t\x00l\x00e",
      std::string(5 << 20, 'a'),
      std::string(100000, '[') + std::string(100000, ']'),
      std::string(100000, '{'),
      // Alias bomb: a few lines that expand to 10^9 nodes if walked.
      "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, "
      "*c]\n"
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, "
      "*e]\n"
      "title: bomb\ndetection:\n  sel:\n    f: *f\n  condition: sel\n",
      "title: x\ndetection:\n  sel:\n    f|windash: '-a -b -c -d -e -f -g -h -i'\n  condition: "
      "sel\n",
  };
  for (const auto& in : inputs) {
    sr::rule_set rs;
    CHECK(load(in, rs) == 0);
    CHECK_FALSE(rs.rejections().empty());
  }
}

TEST_CASE("truncated and bit-flipped corpus files never crash") {
  const fs::path root = fs::path(SEERFLOW_SHARED_DATA) / "sigma-rules" / "rules" / "linux";
  if (!fs::exists(root)) std::exit(77);
  std::mt19937_64 rng(11);
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".yml") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    for (int k = 0; k < 4; ++k) {
      std::string t = text.substr(0, rng() % (text.size() + 1));
      if (k >= 2 && !t.empty())
        for (int f = 0; f < 8; ++f) t[rng() % t.size()] = static_cast<char>(rng() % 128);
      sr::rule_set rs;
      rs.add_yaml(t, e.path().string());
      rs.finalize();
      CHECK(rs.rules().size() + rs.rejections().size() <= 1 + rs.rejections().size());
    }
    ++files;
  }
  CHECK(files > 100);
}
