// Hostile input: empty and blank messages, a 1 MB token, 100k tokens, binary bytes, invalid
// UTF-8, and thousands of random messages and mutations of real ones. The miner never crashes,
// its answers stay consistent (one parameter per "<*>", the id's template is the one returned),
// and its state stays bounded.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "runtime/parse/drain.hpp"

namespace sp = seerflow::parse;

namespace {

std::size_t count_vars(std::string_view t) {
  std::size_t n = 0;
  for (std::size_t p = t.find("<*>"); p != std::string_view::npos; p = t.find("<*>", p + 3)) ++n;
  return n;
}

// Adds `line` and checks the answer's invariants.
void add_checked(sp::drain_miner& m, std::string_view line) {
  std::vector<std::string> params;
  const auto r = m.add(line, &params);
  REQUIRE(r.cluster_id >= 1);
  const std::string text(r.template_text);
  REQUIRE(params.size() == count_vars(text));
  const auto again = m.template_of(r.cluster_id);
  REQUIRE(again.has_value());
  REQUIRE(*again == text);
  REQUIRE(m.cluster_count() <= m.options().max_clusters);
}

const std::vector<std::string> seeds = {
    "Accepted password for alice from 10.0.0.1 port 22 ssh2",
    "BLOCK* ask 10.250.18.114:50010 to delete  blk_-5140072410813878235",
    "Server environment:java.class.path=/etc/zookeeper/conf:/usr/share/java/jline.jar",
    "connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) at Fri Jun 17 07:07:00 2005",
    "getTodayTotalDetailSteps = 1514044800000##7007##548##8661##12361##27173954",
    "Error 'disk full on node' occurred; retrying in 100ms (attempt 3/5)",
    "mapResourceRequest:<memory:1024, vCores:1>",
    "inconsistent nodesets node-1 0x1f <ok> node-2 0x2f <ok>",
};

}  // namespace

TEST_CASE("empty and blank messages") {
  sp::drain_miner m;
  const auto a = m.add("");
  CHECK(a.cluster_id == 1);
  CHECK(a.template_text.empty());
  CHECK(m.add(" \t\r\n  ").cluster_id == 1);
  CHECK(m.add(std::string(10000, ' ')).cluster_id == 1);
  add_checked(m, "");
}

TEST_CASE("a 1 MB token is one bounded variable") {
  sp::drain_miner m;
  const std::string big(1 << 20, 'x');
  std::vector<std::string> params;
  const auto r = m.add("payload " + big + " end", &params);
  CHECK(r.template_text == "payload <*> end");
  REQUIRE(params.size() == 1);
  CHECK(params[0].size() == big.size());
  // Its shape keeps what precedes the cut: a key keeps its name.
  CHECK(m.add("data=" + big).template_text == "data=<*>");
  const std::string quoted = "'" + big;  // an unclosed quote over a huge token
  add_checked(m, quoted);
}

TEST_CASE("100k tokens are cut to max_tokens") {
  sp::drain_miner m;
  std::string line;
  for (int i = 0; i < 100000; ++i) line += "w ";
  std::vector<std::string> params;
  const auto r = m.add(line, &params);
  CHECK(count_vars(r.template_text) == 1);
  CHECK(r.template_text.size() == 2 * (m.options().max_tokens - 1) + 3);
  REQUIRE(params.size() == 1);
  CHECK(params[0].size() == line.size() - 1 - 2 * (m.options().max_tokens - 1));
  add_checked(m, line);
}

TEST_CASE("binary bytes, NUL and invalid UTF-8") {
  sp::drain_miner m;
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  add_checked(m, all);
  add_checked(m, std::string("nul\0inside\0message", 19));
  add_checked(m, "bad \xC3\x28 utf8 \xFF\xFE seq \xE2\x82");
  add_checked(m, "overlong \xC0\xAF and surrogate \xED\xA0\x80 here");
  // Control characters separate tokens like spaces do.
  CHECK(m.add("a\x01"
              "b\x1f"
              "c")
            .template_text == "a b c");
}

TEST_CASE("hostile shapes for the scanners") {
  sp::drain_miner m;
  const std::vector<std::string> cases = {std::string(5000, ':'),
                                          std::string(5000, '.'),
                                          std::string(3000, '<') + "*>",
                                          std::string(4000, '0') + "x",
                                          "::::::ffff:1.2.3.4::",
                                          "0x",
                                          "-",
                                          "--1",
                                          "a=b=c=d=",
                                          std::string(200, '"'),
                                          "'" + std::string(20, ' ') + "'",
                                          "http://",
                                          "@@@@",
                                          "\\\\\\\\",
                                          "1.2.3.4.5.6.7.8.9.10.11.12",
                                          "[[[[((((",
                                          std::string(300, '_') + "1",
                                          "<*> <*><*> <*>.<*>",
                                          "Jan Jan Jan 12:12:12 12:12:12 UTC UTC 2020 2020"};
  for (const auto& s : cases) {
    add_checked(m, s);
    add_checked(m, "prefix " + s + " suffix");
  }
}

TEST_CASE("random bytes and mutations of real messages never crash the miner") {
  sp::drain_options opt;
  opt.max_clusters = 200;
  opt.masks.push_back(sp::mask{sp::mask_kind::regex, "[a-z]+ [0-9]+"});
  sp::drain_miner m(opt);
  sp::drain_miner plain;
  std::mt19937_64 rng(20240611);
  for (int iter = 0; iter < 6000; ++iter) {
    std::string line;
    if (iter % 3 == 0) {
      line.resize(rng() % 300);
      for (auto& c : line) c = static_cast<char>(rng());
    } else {
      line = seeds[rng() % seeds.size()];
      const int edits = 1 + static_cast<int>(rng() % 6);
      for (int e = 0; e < edits && !line.empty(); ++e) {
        const std::size_t at = rng() % line.size();
        switch (rng() % 4) {
          case 0:
            line[at] = static_cast<char>(rng());
            break;
          case 1:
            line.erase(at, 1 + rng() % 5);
            break;
          case 2:
            line.insert(at, std::string(1 + rng() % 5, static_cast<char>(rng())));
            break;
          default:
            line.insert(at, seeds[rng() % seeds.size()].substr(0, rng() % 30));
            break;
        }
      }
    }
    add_checked(m, line);
    add_checked(plain, line);
  }
  CHECK(m.cluster_count() <= 200);
  // The miner still learns normally afterwards.
  sp::drain_miner fresh;
  CHECK(fresh.add("User alice logged in").cluster_id == 1);
}
