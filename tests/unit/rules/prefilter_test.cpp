// The literal prefilter must never hide a match. For every rule of the SigmaHQ corpus an event
// is built from the rule's own values (so that many selections match), and the prefiltered
// evaluation is compared with the plain evaluation of every rule of the bucket.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "rules/engine/prefilter.hpp"
#include "rules/engine/rule_set.hpp"

namespace sr = seerflow::rules;
namespace fs = std::filesystem;

namespace {

void add_examples(const sr::detection& d, const sr::field_registry& reg, sr::field_view& ev) {
  // One value per item (the first pattern of it), so that whole selections match.
  auto first_pattern = [](const sr::detection_item& item) -> const sr::value_test* {
    for (const auto& g : item.groups)
      for (const auto& t : g)
        if (t.k == sr::value_test::kind::pattern) return &t;
    return nullptr;
  };
  for (const auto& s : d.searches)
    for (const auto& alt : s.alternatives)
      for (const auto& item : alt)
        if (const auto* t = first_pattern(item))
          ev.add(item.keyword ? "message" : reg.name(item.field), t->pattern.example());
}

}  // namespace

TEST_CASE("regex literal extraction") {
  CHECK(sr::regex_required_literal("ipconfig\\s+/all") == "ipconfig");
  CHECK(sr::regex_required_literal("(?i)/IPFS/[a-z0-9]{10,}") == "/ipfs/");
  CHECK(sr::regex_required_literal("a|bcdef").empty());
  CHECK(sr::regex_required_literal("(abc|xyz)defg") == "defg");
  CHECK(sr::regex_required_literal("abcde?f") == "abcd");
  CHECK(sr::regex_required_literal("\\x41bcd") == "bcd");
  CHECK(sr::regex_required_literal("nc(\\.openbsd)? -e") == " -e");
  CHECK(sr::regex_required_literal("abcdé?") == "abcd");  // whole code point dropped
}

TEST_CASE("case-insensitive regexes keep matching what RE2 folds") {
  sr::rule_set rs;
  rs.add_yaml(
      "title: t\nid: r\nlogsource: {product: x}\ndetection:\n  sel:\n"
      "    f|re: '(?i)settings'\n  condition: sel\n",
      "r.yml");
  rs.finalize();
  REQUIRE(rs.rules().size() == 1);
  sr::field_view ev(rs.fields());
  ev.add("f",
         "\xC5\xBF"
         "ettings");  // U+017F LATIN SMALL LETTER LONG S + "ettings"
  sr::match_scratch scratch;
  std::vector<std::uint32_t> hits;
  rs.evaluate(rs.all_rules(), ev, scratch, hits);
  CHECK(hits.size() == (sr::rule_matches(rs.rules()[0], ev) ? 1u : 0u));
}

namespace {
// Every active SigmaHQ rule (not deprecated/ or unsupported/); skips the test without the data.
void load_corpus(sr::rule_set& rs) {
  const fs::path root = fs::path(SEERFLOW_SHARED_DATA) / "sigma-rules";
  if (!fs::exists(root)) std::exit(77);
  for (const auto& d : fs::directory_iterator(root)) {
    const auto n = d.path().filename().string();
    if (d.is_directory() && n != "deprecated" && n != "unsupported") rs.add_directory(d.path());
  }
  rs.finalize();
}
}  // namespace

TEST_CASE("prefiltered evaluation equals plain evaluation on the corpus") {
  sr::rule_set rs;
  load_corpus(rs);
  sr::field_view ev(rs.fields());
  sr::match_scratch scratch;
  std::vector<std::uint32_t> hits;
  std::size_t events = 0, matches = 0, mismatches = 0;
  for (std::uint32_t i = 0; i < rs.rules().size(); ++i) {
    const auto& rule = rs.rules()[i];
    ev.clear();
    add_examples(rule.det, rs.fields(), ev);
    for (const auto* b : {&rs.all_rules(), &rs.bucket(rule.info.source)}) {
      hits.clear();
      rs.evaluate(*b, ev, scratch, hits);
      std::vector<std::uint32_t> plain;
      for (auto idx : b->rules)
        if (sr::rule_matches(rs.rules()[idx], ev)) plain.push_back(idx);
      ++events;
      matches += plain.size();
      if (plain != hits) {
        ++mismatches;
        std::cout << "prefilter hid a match for event built from " << rule.info.file << "\n";
      }
    }
  }
  std::cout << events << " evaluations, " << matches << " matches, " << mismatches
            << " mismatches\n";
  CHECK(matches > 1000);
  CHECK(mismatches == 0);
}

TEST_CASE("prefiltered evaluation equals plain evaluation when values sit in other fields") {
  // Each field has its own literal scanner and anchored literals are grouped by their first or
  // last 8 bytes: events mixing the values of several rules, some moved to another field and
  // some embedded in longer text, check that no match depends on where the scan looked.
  sr::rule_set rs;
  load_corpus(rs);
  sr::field_view ev(rs.fields());
  sr::match_scratch scratch;
  std::vector<std::uint32_t> hits;
  std::uint64_t x = 12345;
  auto rnd = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  const auto& rules = rs.rules();
  std::size_t matches = 0, mismatches = 0;
  for (int it = 0; it < 3000; ++it) {
    const auto& base = rules[rnd() % rules.size()];
    const auto& b = rs.bucket(base.info.source);
    std::vector<std::pair<std::string, std::string>> fields;
    for (int k = 0; k < 3; ++k) {
      const auto& r = k == 0 ? base : rules[b.rules[rnd() % b.rules.size()]];
      sr::field_view one(rs.fields());
      add_examples(r.det, rs.fields(), one);
      for (const auto& e : one.entries())
        fields.emplace_back(std::string(one.name(e)), std::string(one.raw(e)));
    }
    ev.clear();
    for (const auto& [name, value] : fields) {
      switch (rnd() % 4) {
        case 0:  // in another field of the event
          ev.add(fields[rnd() % fields.size()].first, value);
          break;
        case 1:  // inside longer text
          ev.add(name, "x " + value + " y");
          break;
        default:
          ev.add(name, value);
      }
    }
    hits.clear();
    rs.evaluate(b, ev, scratch, hits);
    std::vector<std::uint32_t> plain;
    for (auto idx : b.rules)
      if (sr::rule_matches(rules[idx], ev)) plain.push_back(idx);
    matches += plain.size();
    if (plain != hits) {
      ++mismatches;
      std::cout << "prefilter disagrees on an event mixing values of " << base.info.file << "\n";
    }
  }
  std::cout << matches << " matches, " << mismatches << " mismatches\n";
  CHECK(matches > 300);
  CHECK(mismatches == 0);
}

TEST_CASE("a literal many rules share makes a poor clause: the rule's own literal is chosen") {
  // Four auditd-like rules, each three selections of `type: EXECVE`, a program and its
  // arguments (SigmaHQ's lnx_auditd_data_compressed has this shape). The disjunction has too
  // many combinations to keep, so each side keeps its most selective clause: by length alone
  // `execve`; shared by every rule (and so by most events) it is not, and an EXECVE of another
  // program makes none of them a candidate.
  sr::rule_set rs;
  std::string yaml;
  const char* programs[4][3] = {{"zip", "gzip", "tar"},
                                {"curl", "wget", "fetch"},
                                {"nc", "ncat", "socat"},
                                {"shred", "wipe", "srm"}};
  for (int i = 0; i < 4; ++i) {
    if (i) yaml += "---\n";
    yaml += "title: r" + std::to_string(i) + "\nid: 40000000-0000-4000-8000-00000000000" +
            std::to_string(i) + "\nlogsource: {product: linux, service: auditd}\ndetection:\n";
    yaml += std::string("  sel1: {type: EXECVE, a0: ") + programs[i][0] + "}\n";
    yaml += std::string("  sel2: {type: EXECVE, a0: ") + programs[i][1] + ", a1: '-k'}\n";
    yaml += std::string("  sel3: {type: EXECVE, a0: ") + programs[i][2] + ", a1|contains: '-c'}\n";
    yaml += "  condition: 1 of sel*\n";
  }
  rs.add_yaml(yaml, "execve.yml");
  rs.finalize();
  REQUIRE(rs.rules().size() == 4);
  const auto& b = rs.bucket({"linux", "", "auditd"});
  sr::field_view ev(rs.fields());
  sr::match_scratch scratch;
  std::vector<std::uint32_t> hits;
  ev.add("type", "EXECVE");
  ev.add("a0", "ls");
  ev.add("a1", "-la");
  rs.evaluate(b, ev, scratch, hits);
  CHECK(hits.empty());
  CHECK(scratch.evaluated == 0);
  ev.clear();
  ev.add("type", "EXECVE");
  ev.add("a0", "tar");
  ev.add("a1", "-czf");
  rs.evaluate(b, ev, scratch, hits);
  REQUIRE(hits.size() == 1);
  CHECK(rs.rules()[hits[0]].info.title == "r0");
  CHECK(scratch.evaluated == 1);
}
