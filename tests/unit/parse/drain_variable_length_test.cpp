// Messages of different token counts that are one template with a variable-length part (lists,
// quoted strings, free text after a learnt key, repeated items) end in one cluster; optional
// constant fields and extra constant words do not.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runtime/parse/drain.hpp"

namespace sp = seerflow::parse;

TEST_CASE("a list of values is one variable, whatever its length") {
  sp::drain_miner miner;
  std::vector<std::string> params;
  CHECK(miner.add("ask 10.0.0.1:50010 to delete blk_1", &params).cluster_id == 1);
  const auto m = miner.add("ask 10.0.0.3:50010 to delete blk_3 blk_4 blk_5", &params);
  CHECK(m.cluster_id == 1);
  CHECK(m.change == sp::template_change::none);
  CHECK(m.template_text == "ask <*> to delete <*>");
  CHECK(params == std::vector<std::string>{"10.0.0.3:50010", "blk_3 blk_4 blk_5"});
  CHECK(miner.cluster_count() == 1);
}

TEST_CASE("a long list seen first joins the short form when it appears") {
  sp::drain_miner miner;
  CHECK(miner.add("purge 10.0.0.3 files 0x1 0x2 0x3 0x4").cluster_id == 1);
  const auto m = miner.add("purge 10.0.0.3 files 0x5");
  CHECK(m.cluster_id == 2);
  CHECK(m.change == sp::template_change::created);
  REQUIRE(m.absorbed.size() == 1);
  CHECK(m.absorbed[0] == 1);
  CHECK(miner.current_id(1) == 2);
  CHECK(miner.template_of(1) == "purge <*> files <*>");
  CHECK(miner.add("purge 10.0.0.4 files 0x6 0x7").cluster_id == 2);
  CHECK(miner.size_of(2) == 3);
}

TEST_CASE("free text after a learnt key joins the key's template") {
  sp::drain_miner miner;
  miner.add("Server environment:user.dir=/");
  miner.add("Server environment:host.name=alpha");
  miner.add("Server environment:java.vendor=Oracle Corporation");
  const auto m = miner.add("Server environment:os.name=Linux");
  CHECK(m.cluster_id == 1);
  CHECK(m.template_text == "Server environment:<*>");
  CHECK(miner.current_id(2) == 1);
  CHECK(miner.current_id(3) == 1);  // the three-token message was absorbed too
  std::vector<std::string> params;
  CHECK(miner.add("Server environment:java.vendor=Oracle Corporation", &params).cluster_id == 1);
  CHECK(params == std::vector<std::string>{"java.vendor=Oracle Corporation"});
  CHECK(miner.cluster_count() == 1);
}

TEST_CASE("a quoted string is one token however many words it holds") {
  sp::drain_miner miner;
  CHECK(miner.add("Error 'disk full on node' occurred").cluster_id == 1);
  CHECK(miner.add("Error 'timeout' occurred").cluster_id == 2);
  const auto m = miner.add("Error 'connection reset by peer' occurred");
  CHECK(m.cluster_id == 1);
  CHECK(m.template_text == "Error '<*>' occurred");
  CHECK(miner.add("Error \"a b\" occurred").cluster_id == 3);  // other quotes: another shape
  // An apostrophe inside a word opens nothing.
  CHECK(miner.add("Can't find child 42 in scoreboard").template_text ==
        "Can't find child <*> in scoreboard");
}

TEST_CASE("a repeated group of items is a list too") {
  sp::drain_miner miner;
  miner.add("inconsistent nodesets node-1 0x1f <ok> node-2 0x2f <ok>");
  std::vector<std::string> params;
  const auto m = miner.add(
      "inconsistent nodesets node-1 0x1f <ok> node-2 0x2f <ok> node-3 0x3f <ok>", &params);
  CHECK(m.cluster_id == 1);
  CHECK(m.template_text == "inconsistent nodesets node-<*> <*> <ok> node-<*> <*> <ok>");
  CHECK(params.size() == 4);  // one value per variable of the template
}

TEST_CASE("an optional constant field or extra words make another template") {
  sp::drain_miner miner;
  const auto a = miner.add("authentication failure; rhost=10.0.0.1");
  const auto b = miner.add("authentication failure; rhost=10.0.0.2 user=bob");
  CHECK(a.cluster_id != b.cluster_id);
  for (const char* u : {"alice", "bob", "carol"}) {
    std::string line = "Failed password for ";
    line += u;
    line += " from 10.0.0.1 port 22 ssh2";
    miner.add(line);
  }
  const auto c = miner.add("Failed password for invalid user dave from 10.0.0.1 port 22 ssh2");
  CHECK(c.change == sp::template_change::created);
  CHECK(c.template_text == "Failed password for invalid user dave from <*> port <*> ssh2");
}

TEST_CASE("messages longer than max_tokens keep their tail as one variable") {
  sp::drain_options opt;
  opt.max_tokens = 4;
  sp::drain_miner miner(opt);
  std::vector<std::string> params;
  const auto m = miner.add("a b c d e f g", &params);
  CHECK(m.template_text == "a b c <*>");
  CHECK(params == std::vector<std::string>{"d e f g"});
  CHECK(miner.add("a b c x").cluster_id == m.cluster_id);
}
