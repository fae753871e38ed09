#include "runtime/parse/entity_canonical.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "runtime/parse/top_level_domain.hpp"

using namespace seerflow::parse;

namespace {

// The canonical form, or "!" when refused.
template <typename F>
std::string canon(F f, std::string_view in) {
  std::string out = "garbage";
  return f(in, out) ? out : std::string("!");
}

std::string ip(std::string_view s) {
  return canon(canonical_ip, s);
}
std::string host(std::string_view s) {
  return canon(canonical_host, s);
}
std::string domain(std::string_view s) {
  return canon(canonical_domain, s);
}
std::string user(std::string_view s) {
  return canon(canonical_user, s);
}
std::string file(std::string_view s) {
  return canon(canonical_file, s);
}
std::string process(std::string_view s) {
  return canon(canonical_process, s);
}

}  // namespace

TEST_CASE("canonical_ip: IPv4") {
  CHECK(ip("10.0.0.1") == "10.0.0.1");
  CHECK(ip("0.0.0.0") == "0.0.0.0");
  CHECK(ip("255.255.255.255") == "255.255.255.255");
  CHECK(ip("173.234.31.186") == "173.234.31.186");
  CHECK(ip("[192.168.1.1]") == "192.168.1.1");
  // Leading zeros are octal to inet_aton and decimal to most others: refused, not guessed.
  CHECK(ip("010.1.1.1") == "!");
  CHECK(ip("10.01.1.1") == "!");
  CHECK(ip("256.1.1.1") == "!");
  CHECK(ip("1.2.3") == "!");
  CHECK(ip("1.2.3.4.5") == "!");
  CHECK(ip("1.2.3.") == "!");
  CHECK(ip(".1.2.3") == "!");
  CHECK(ip("1..2.3") == "!");
  CHECK(ip("1234.1.1.1") == "!");
  CHECK(ip("1.2.3.4 ") == "!");
  CHECK(ip("1.2.3.4:80") == "!");
  CHECK(ip("a.b.c.d") == "!");
  CHECK(ip("") == "!");
  CHECK(ip("[1.2.3.4") == "!");
}

TEST_CASE("canonical_ip: IPv6 in RFC 5952 form") {
  CHECK(ip("2001:db8::1") == "2001:db8::1");
  CHECK(ip("2001:DB8:0:0:0:0:0:1") == "2001:db8::1");
  CHECK(ip("2001:0db8:0000:0000:0000:0000:0000:0001") == "2001:db8::1");
  CHECK(ip("::1") == "::1");
  CHECK(ip("::") == "::");
  CHECK(ip("0:0:0:0:0:0:0:0") == "::");
  CHECK(ip("fe80::") == "fe80::");
  // RFC 5952 4.2.2: a single zero group is not shortened.
  CHECK(ip("2001:db8:0:1:1:1:1:1") == "2001:db8:0:1:1:1:1:1");
  // 4.2.3: the longest run; the first one on a tie.
  CHECK(ip("2001:0:0:1:0:0:0:1") == "2001:0:0:1::1");
  CHECK(ip("2001:db8:0:0:1:0:0:1") == "2001:db8::1:0:0:1");
  CHECK(ip("[2001:db8::1]") == "2001:db8::1");
  CHECK(ip("fe80::1%eth0") == "fe80::1");
  CHECK(ip("FE80::A:B%25") == "fe80::a:b");
  // IPv4-mapped addresses are the IPv4 address.
  CHECK(ip("::ffff:1.2.3.4") == "1.2.3.4");
  CHECK(ip("::FFFF:c000:0280") == "192.0.2.128");
  CHECK(ip("64:ff9b::192.0.2.33") == "64:ff9b::c000:221");
  CHECK(ip("1:2:3:4:5:6:7:8") == "1:2:3:4:5:6:7:8");
  CHECK(ip("1:2:3:4:5:6:7::") == "1:2:3:4:5:6:7:0");
  CHECK(ip("::2:3:4:5:6:7:8") == "0:2:3:4:5:6:7:8");

  CHECK(ip(":::1") == "!");
  CHECK(ip("1::2::3") == "!");
  CHECK(ip("1:2:3:4:5:6:7:8:9") == "!");
  CHECK(ip("1:2:3:4:5:6:7") == "!");
  CHECK(ip("1:2:3:4:5:6:7:8::") == "!");
  CHECK(ip("12345::1") == "!");
  CHECK(ip("g::1") == "!");
  CHECK(ip(":1:2:3:4:5:6:7") == "!");
  CHECK(ip("1:2:3:4:5:6:7:") == "!");
  CHECK(ip("fe80::1%") == "!");
  CHECK(ip("::1.2.3") == "!");
  CHECK(ip("::1.2.3.4:5") == "!");
  CHECK(ip("12:34:56") == "!");              // a time of day
  CHECK(ip("00:1a:2b:3c:4d:5e") == "!");     // a MAC address
  CHECK(ip("0000:00:1e.0") == "!");          // a PCI address
  CHECK(ip("0:0:0:0:0:0:0:0:2181") == "!");  // Java's "address:port" without brackets
}

TEST_CASE("canonical_host") {
  CHECK(host("combo") == "combo");
  CHECK(host("LabSZ") == "labsz");
  CHECK(host("Web-01.Example.COM.") == "web-01.example.com");
  CHECK(host("220-135-151-1.hinet-ip.hinet.net") == "220-135-151-1.hinet-ip.hinet.net");
  CHECK(host("1host") == "1host");
  CHECK(host(std::string(63, 'a')) == std::string(63, 'a'));
  CHECK(host(std::string(64, 'a')) == "!");
  std::string long_name;
  for (int i = 0; i < 63; ++i) long_name += "abc.";
  long_name += "d";  // 253 characters
  CHECK(host(long_name) == long_name);
  CHECK(host(long_name + "e") == "!");
  CHECK(host("") == "!");
  CHECK(host(".") == "!");
  CHECK(host("-") == "!");  // the RFC 5424 nil value
  CHECK(host("-web") == "!");
  CHECK(host("web-") == "!");
  CHECK(host("a..b") == "!");
  CHECK(host("under_score") == "!");
  CHECK(host("has space") == "!");
  CHECK(host("10.0.0.1") == "!");  // an IP literal is an ip
  CHECK(host("1.2.3.4.5") == "!");
  CHECK(host("2001:db8::1") == "!");
  CHECK(host("12345") == "!");
  CHECK(host("h\xc3\xa9te") == "!");
}

TEST_CASE("canonical_domain") {
  CHECK(domain("ns.marryaldkfaczcz.com") == "ns.marryaldkfaczcz.com");
  CHECK(domain("Wiki.Apache.ORG.") == "wiki.apache.org");
  CHECK(domain("example.xn--p1ai") == "example.xn--p1ai");
  CHECK(domain("localhost") == "!");  // one label
  CHECK(domain("host.123") == "!");
  CHECK(domain("a.b2") == "!");
  CHECK(domain("a.c") == "!");
  CHECK(domain("java.io.IOException") == "java.io.ioexception");  // syntax only: see below
  CHECK(domain("10.0.0.1") == "!");
}

TEST_CASE("classify_tld decides which dotted names can be domains") {
  CHECK(classify_tld("com") == tld_class::known);
  CHECK(classify_tld("COM") == tld_class::known);
  CHECK(classify_tld("net") == tld_class::known);
  CHECK(classify_tld("uk") == tld_class::known);
  CHECK(classify_tld("mx") == tld_class::known);
  CHECK(classify_tld("om") == tld_class::known);
  CHECK(classify_tld("io") == tld_class::known);
  CHECK(classify_tld("xyz") == tld_class::known);
  CHECK(classify_tld("internal") == tld_class::known);
  CHECK(classify_tld("arpa") == tld_class::known);
  for (auto amb :
       {"py", "sh", "pl", "rs", "md", "so", "cc", "id", "in", "name", "zip", "app", "pm"})
    CHECK(classify_tld(amb) == tld_class::ambiguous);
  for (auto no : {"IOException", "Task",   "properties", "txt",    "log",  "jar",        "java",
                  "c",           "6",      "",           "json",   "conf", "html",       "exe",
                  "init",        "leader", "tmpdir",     "health", "host", "toolongtld", "x-y"})
    CHECK(classify_tld(no) == tld_class::unknown);
}

TEST_CASE("canonical_user") {
  CHECK(user("root") == "root");
  CHECK(user("Administrator") == "Administrator");  // case kept
  CHECK(user("\"alice\"") == "alice");
  CHECK(user("'bob'") == "bob");
  CHECK(user("  carol  ") == "carol");
  CHECK(user("bob.") == "bob");
  CHECK(user("root,") == "root");
  CHECK(user("(root)") == "root");
  CHECK(user("CORP\\alice") == "CORP\\alice");
  CHECK(user("alice@EXAMPLE.COM") == "alice@EXAMPLE.COM");
  CHECK(user("HOST$") == "HOST$");
  CHECK(user("0") == "0");
  CHECK(user("j\xc3\xbcrgen") == "j\xc3\xbcrgen");
  for (auto bad : {"", "-", "?", "unknown", "UNKNOWN", "(unknown)", "<unknown>", "none", "(none)",
                   "null", "n/a", "\"\"", "two words", "tab\there", "ctl\x01", "...", "--"})
    CHECK(user(bad) == "!");
  CHECK(user(std::string(256, 'u')) == std::string(256, 'u'));
  CHECK(user(std::string(257, 'u')) == "!");
  CHECK(user("bad\xff") == "!");
}

TEST_CASE("canonical_file: Unix") {
  CHECK(file("/etc/passwd") == "/etc/passwd");
  CHECK(file("/var//log/./auth.log") == "/var/log/auth.log");
  CHECK(file("/a/b/../c") == "/a/c");
  CHECK(file("/../../etc/shadow") == "/etc/shadow");
  CHECK(file("/a/b/c/../../..") == "/");
  CHECK(file("/var/www/html/") == "/var/www/html");
  CHECK(file("/") == "/");
  CHECK(file("//") == "/");
  CHECK(file("/home/curi/.zookeeper") == "/home/curi/.zookeeper");
  CHECK(file("/a/...") == "/a/...");
  CHECK(file("etc/passwd") == "!");
  CHECK(file("./x") == "!");
  CHECK(file("~/x") == "!");
  CHECK(file("") == "!");
  CHECK(file("/ws/*") == "!");
  CHECK(file("/bad\nname") == "!");
  CHECK(file("/bad\xff") == "!");
  CHECK(file("/" + std::string(4096, 'a')) == "!");
}

TEST_CASE("canonical_file: Windows") {
  CHECK(file("C:\\Windows\\System32\\cmd.exe") == "c:\\Windows\\System32\\cmd.exe");
  CHECK(file("c:/Windows/System32/../notepad.exe") == "c:\\Windows\\notepad.exe");
  CHECK(file("D:\\a\\\\b\\.\\c\\") == "d:\\a\\b\\c");
  CHECK(file("C:\\..\\..\\x") == "c:\\x");
  CHECK(file("C:\\") == "c:\\");
  CHECK(file("\\\\server\\share\\dir\\f.txt") == "\\\\server\\share\\dir\\f.txt");
  CHECK(file("\\\\server\\share\\..\\..\\x") == "\\\\server\\share\\x");
  CHECK(file("\\\\?\\C:\\very\\long") == "c:\\very\\long");
  CHECK(file("C:") == "!");
  CHECK(file("C:relative") == "!");
  CHECK(file("\\\\server") == "!");
  CHECK(file("\\\\server\\") == "!");
  CHECK(file("C:\\a|b") == "!");
  CHECK(file("C:\\a:stream") == "!");
  CHECK(file("\\single") == "!");
}

TEST_CASE("canonical_process") {
  CHECK(process("sshd") == "sshd");
  CHECK(process("CRON") == "CRON");
  CHECK(process("sshd(pam_unix)") == "sshd");
  CHECK(process("sshd[24200]") == "sshd");
  CHECK(process("su(pam_unix)[21416]") == "su");
  CHECK(process("/usr/sbin/sshd") == "sshd");
  CHECK(process("/usr/bin/python3 -m x") == "python3");
  CHECK(process("C:\\Windows\\System32\\cmd.exe") == "cmd.exe");
  CHECK(process("syslogd 1.4.1") == "syslogd");
  CHECK(process("(sd-pam)") == "sd-pam");
  CHECK(process("rpc.statd") == "rpc.statd");
  CHECK(process("kworker/0:1") == "kworker/0:1");
  CHECK(process("systemd-logind") == "systemd-logind");
  CHECK(process("postfix/smtpd") == "postfix/smtpd");
  for (auto bad : {"", "-", "-- root", "1234", "[123]", "/usr/sbin/", "a\"b", "x=y", "\x01sh"})
    CHECK(process(bad) == "!");
  CHECK(process(std::string(257, 'p')) == "!");
}

TEST_CASE("canonical functions never crash on random input and are idempotent") {
  std::mt19937 rng(20240611);
  const std::string alphabet = "0123456789abcdefABCDEF:./\\%[]()-_@ \"'\x01\xff\xc3\xa9";
  std::string in, out, again;
  for (int iter = 0; iter < 20000; ++iter) {
    in.clear();
    const std::size_t len = rng() % 48;
    for (std::size_t i = 0; i < len; ++i)
      in.push_back(iter % 3 == 0 ? static_cast<char>(rng()) : alphabet[rng() % alphabet.size()]);
    for (auto t : {seerflow::model::entity_type::ip, seerflow::model::entity_type::user,
                   seerflow::model::entity_type::host, seerflow::model::entity_type::file,
                   seerflow::model::entity_type::domain, seerflow::model::entity_type::process}) {
      if (!canonical(t, in, out)) continue;
      // A canonical value is its own canonical form.
      REQUIRE(canonical(t, out, again));
      REQUIRE(again == out);
    }
  }
}
