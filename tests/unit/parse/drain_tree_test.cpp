// The miner's tree and learning rules: grouping, the evidence a word needs to become a
// variable, the similarity threshold, max_children, numeric parametrisation, parameters.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runtime/parse/drain.hpp"

namespace sp = seerflow::parse;

namespace {

// Concatenation without operator+ (GCC 12 warns falsely about it under -Werror=restrict).
std::string cat(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string out(a);
  out.append(b);
  out.append(c);
  return out;
}

}  // namespace

TEST_CASE("messages differing only in masked values share a cluster") {
  sp::drain_miner miner;
  const auto a = miner.add("Accepted password for alice from 10.0.0.1 port 22 ssh2");
  CHECK(a.cluster_id == 1);
  CHECK(a.change == sp::template_change::created);
  CHECK(a.template_text == "Accepted password for alice from <*> port <*> ssh2");
  const auto b = miner.add("Accepted password for alice from 192.168.1.20 port 50122 ssh2");
  CHECK(b.cluster_id == 1);
  CHECK(b.change == sp::template_change::none);
  const auto c = miner.add("Connection closed by 10.0.0.9 [preauth]");
  CHECK(c.cluster_id == 2);
  CHECK(c.change == sp::template_change::created);
  CHECK(miner.cluster_count() == 2);
  CHECK(miner.size_of(1) == 2);
  CHECK(miner.add("").template_text.empty());
  CHECK(miner.add("   \t ").cluster_id == 3);  // only delimiters: the empty template
}

TEST_CASE("a word becomes a variable after three distinct values, and earlier ids follow") {
  sp::drain_miner miner;
  CHECK(miner.add("User alice logged in from 10.0.0.1").cluster_id == 1);
  CHECK(miner.add("User bob logged in from 10.0.0.2").cluster_id == 2);
  CHECK(miner.template_of(2) == "User bob logged in from <*>");
  const auto third = miner.add("User carol logged in from 10.0.0.3");
  CHECK(third.cluster_id == 1);
  CHECK(third.change == sp::template_change::updated);
  CHECK(third.template_text == "User <*> logged in from <*>");
  CHECK(third.absorbed.size() == 1);
  CHECK(third.absorbed[0] == 2);
  CHECK(miner.current_id(2) == 1);
  CHECK(miner.template_of(2) == "User <*> logged in from <*>");
  CHECK(miner.size_of(1) == 3);
  CHECK(miner.add("User dave logged in from 10.0.0.4").change == sp::template_change::none);
  CHECK(miner.cluster_count() == 1);
}

TEST_CASE("two values are not enough evidence: a pair of words stays two templates") {
  sp::drain_miner miner;
  const auto a = miner.add("Block 12 stored as bytes in memory");
  const auto b = miner.add("Block 13 stored as values in memory");
  CHECK(a.cluster_id != b.cluster_id);
  CHECK(miner.template_of(a.cluster_id) == "Block <*> stored as bytes in memory");
  CHECK(miner.template_of(b.cluster_id) == "Block <*> stored as values in memory");
}

TEST_CASE("names in capitals, capitalised words and device names stay constants") {
  sp::drain_miner miner;
  for (const char* s : {"RUNNING", "STOPPED", "PAUSED", "FAILED"}) {
    miner.add(cat("task 7 changed state to ", s));
  }
  CHECK(miner.cluster_count() == 4);
  for (const char* s : {"Paused", "Resumed", "Started"}) {
    miner.add(cat("VM ", s, " (Lifecycle Event)"));
  }
  CHECK(miner.cluster_count() == 7);
  for (const char* s : {"alt0", "ee0", "scip0"}) {
    miner.add(cat("link up via interface ", s));
  }
  CHECK(miner.cluster_count() == 10);
}

TEST_CASE("names that differ only in their number are numbered names: a variable at once") {
  sp::drain_miner miner;
  CHECK(miner.add("datasource Thunderbird_A8 is down").cluster_id == 1);
  const auto m = miner.add("datasource Thunderbird_A9 is down");
  CHECK(m.cluster_id == 1);
  CHECK(m.change == sp::template_change::updated);
  CHECK(m.template_text == "datasource <*> is down");
  // Codes that differ in letters too need the usual evidence: a third value.
  sp::drain_miner other;
  CHECK(other.add("datasource Thunderbird_A8 is down").cluster_id == 1);
  CHECK(other.add("datasource Thunderbird_B8 is down").cluster_id == 2);
  const auto third = other.add("datasource Thunderbird_C5 is down");
  CHECK(third.cluster_id == 1);
  CHECK(third.template_text == "datasource <*> is down");
  CHECK(other.current_id(2) == 1);
}

TEST_CASE("the similarity threshold bounds what may be generalised") {
  const char* lines[] = {"alpha beta gamma delta", "alpha one two three", "alpha x y z",
                         "alpha k l m"};
  sp::drain_miner strict;  // default 0.4: one token in four agrees
  for (const char* l : lines) strict.add(l);
  CHECK(strict.cluster_count() == 4);

  sp::drain_options loose_opt;
  loose_opt.similarity = 0.2;
  sp::drain_miner loose(loose_opt);
  for (const char* l : lines) loose.add(l);
  CHECK(loose.cluster_count() == 1);
  CHECK(loose.template_of(1) == "alpha <*> <*> <*>");
  CHECK(loose.size_of(1) == 4);
}

TEST_CASE("max_children sends further tokens through the <*> child") {
  sp::drain_options opt;
  opt.max_children = 3;
  sp::drain_miner miner(opt);
  std::vector<std::uint64_t> ids;
  for (const char* first : {"alpha", "beta", "gamma", "delta", "epsilon"}) {
    ids.push_back(miner.add(cat(first, " x")).cluster_id);
  }
  CHECK(ids == std::vector<std::uint64_t>{1, 2, 3, 4, 3});
  // root, the length node, alpha, beta and <*> below it, one leaf under each.
  CHECK(miner.tree_nodes() == 8);
  // gamma, delta and epsilon met in the <*> branch and were generalised together.
  CHECK(miner.template_of(1) == "alpha x");
  CHECK(miner.template_of(2) == "beta x");
  CHECK(miner.template_of(3) == "<*> x");
  CHECK(miner.current_id(4) == 3);
  CHECK(miner.current_id(5) == 0);  // never created
}

TEST_CASE("numeric parametrisation routes tokens with digits through <*>") {
  sp::drain_options opt;
  sp::drain_miner with(opt);
  with.add("node7 up");
  with.add("node8 up");
  CHECK(with.cluster_count() == 1);
  CHECK(with.template_of(1) == "<*> up");

  opt.parametrize_numeric_tokens = false;
  sp::drain_miner without(opt);
  without.add("node7 up");
  without.add("node8 up");
  CHECK(without.cluster_count() == 2);
}

TEST_CASE("a different first word is a different template") {
  sp::drain_miner miner;
  for (const char* d : {"cupsd", "syslogd", "klogd", "portmap"}) {
    miner.add(cat(d, " startup succeeded"));
  }
  CHECK(miner.cluster_count() == 4);
}

TEST_CASE("parameters are the values at the template's variables, in order") {
  sp::drain_miner miner;
  std::vector<std::string> params;
  miner.add("session opened for user alice by (uid=0)", &params);
  CHECK(params == std::vector<std::string>{"0"});
  miner.add("session opened for user bob by (uid=500)");
  const auto m = miner.add("session opened for user carol by (uid=1000)", &params);
  REQUIRE(m.template_text == "session opened for user <*> by (uid=<*>)");
  CHECK(params == std::vector<std::string>{"carol", "1000"});
}

TEST_CASE("extra delimiters split tokens") {
  sp::drain_options opt;
  opt.extra_delimiters.push_back(',');
  sp::drain_miner miner(opt);
  CHECK(miner.add("a,b,c").template_text == "a b c");
}

TEST_CASE("the same input gives the same clusters, whatever the run") {
  const std::vector<std::string> lines = {"User alice logged in",    "User bob logged in",
                                          "User carol logged in",    "disk /dev/sda1 full",
                                          "disk /dev/sdb2 full",     "retry 3 of 5",
                                          "Block 1 stored as bytes", "Block 2 stored as values"};
  sp::drain_miner a, b;
  for (const auto& l : lines) {
    const auto x = a.add(l);
    const auto y = b.add(l);
    CHECK(x.cluster_id == y.cluster_id);
    CHECK(x.template_text == y.template_text);
  }
}
