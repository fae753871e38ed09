#include "runtime/parse/rule_fields.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "runtime/parse/logsource_inference.hpp"

using seerflow::model::event;
using seerflow::parse::logsource_inference;
using seerflow::parse::rule_fields;

namespace {

std::string get(const rule_fields& f, std::string_view name) {
  const auto v = f.get(name);
  return v ? std::string(*v) : std::string("<absent>");
}

event syslog_event(std::string app, std::string message, int facility = 4, int severity = 6) {
  event ev;
  ev.app = std::move(app);
  ev.message = std::move(message);
  ev.host = "web1";
  ev.procid = "1234";
  ev.facility = static_cast<std::int8_t>(facility);
  ev.severity = static_cast<std::int8_t>(severity);
  ev.ls = logsource_inference{}.infer(ev);
  return ev;
}

}  // namespace

TEST_CASE("every syslog event shows its header fields under the contract's names") {
  rule_fields f;
  auto ev = syslog_event("cron", "(root) CMD (run-parts /etc/cron.hourly)", 9, 6);
  ev.msgid = "ID47";
  ev.fields.push_back({"exampleSDID@32473.iut", "3"});
  f.fill(ev);
  CHECK(get(f, "message") == "(root) CMD (run-parts /etc/cron.hourly)");
  CHECK(get(f, "host") == "web1");
  CHECK(get(f, "program") == "cron");
  CHECK(get(f, "pid") == "1234");
  CHECK(get(f, "msgid") == "ID47");
  CHECK(get(f, "facility") == "cron");
  CHECK(get(f, "severity") == "info");
  CHECK(get(f, "exampleSDID@32473.iut") == "3");
  CHECK(get(f, "Message") == "<absent>");  // names are case-sensitive
}

TEST_CASE("sshd: user, address, port, method and outcome") {
  rule_fields f;
  event kept;  // views point into it: it outlives each fill()
  f.fill(kept = syslog_event("sshd",
                             "Failed password for invalid user webmaster from 173.234.31.186 "
                             "port 38926 ssh2"));
  CHECK(get(f, "user") == "webmaster");
  CHECK(get(f, "src_ip") == "173.234.31.186");
  CHECK(get(f, "src_port") == "38926");
  CHECK(get(f, "auth_method") == "password");
  CHECK(get(f, "outcome") == "failure");

  f.fill(kept = syslog_event("sshd",
                             "Accepted publickey for alice from 2001:db8::7 port 50122 ssh2: "
                             "RSA SHA256:abc"));
  CHECK(get(f, "user") == "alice");
  CHECK(get(f, "src_ip") == "2001:db8::7");
  CHECK(get(f, "auth_method") == "publickey");
  CHECK(get(f, "outcome") == "success");

  f.fill(kept = syslog_event("sshd", "Invalid user admin from 203.0.113.9 port 4242"));
  CHECK(get(f, "user") == "admin");
  CHECK(get(f, "src_ip") == "203.0.113.9");
  CHECK(get(f, "outcome") == "failure");

  f.fill(kept = syslog_event("sshd",
                             "pam_unix(sshd:auth): authentication failure; logname= uid=0 "
                             "euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root"));
  CHECK(get(f, "user") == "root");
  CHECK(get(f, "src_ip") == "112.95.230.3");
  CHECK(get(f, "outcome") == "failure");

  // A host name in rhost is not an address.
  f.fill(kept =
             syslog_event("sshd",
                          "pam_unix(sshd:auth): authentication failure; logname= uid=0 "
                          "euid=0 tty=ssh ruser= rhost=5.36.59.76.dynamic-dsl-ip.omantel.net.om"));
  CHECK(get(f, "src_ip") == "<absent>");
  // ... but it is the peer's name, kept as logged for rules that group by it.
  CHECK(get(f, "rhost") == "5.36.59.76.dynamic-dsl-ip.omantel.net.om");
  // The legacy format: program "sshd(pam_unix)", no "Failed password" line beside it.
  f.fill(kept = syslog_event("sshd(pam_unix)",
                             "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= "
                             "rhost=150.183.249.110  user=root"));
  CHECK(get(f, "rhost") == "150.183.249.110");
  CHECK(get(f, "src_ip") == "150.183.249.110");
  CHECK(get(f, "user") == "root");
  // An empty rhost names nobody.
  f.fill(kept = syslog_event("sshd(pam_unix)",
                             "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= "
                             "rhost=  user=root"));
  CHECK(get(f, "rhost") == "<absent>");

  f.fill(kept = syslog_event("sshd",
                             "Received disconnect from 103.99.0.122 port 51950:11: Bye Bye "
                             "[preauth]"));
  CHECK(get(f, "src_ip") == "103.99.0.122");
  CHECK(get(f, "src_port") == "51950");
  CHECK(get(f, "outcome") == "<absent>");

  f.fill(kept = syslog_event("sshd",
                             "reverse mapping checking getaddrinfo for ns.example.com "
                             "[187.141.143.180] failed - POSSIBLE BREAK-IN ATTEMPT!"));
  CHECK(get(f, "src_ip") == "187.141.143.180");

  f.fill(kept = syslog_event("sshd",
                             "message repeated 5 times: [ Failed password for root from "
                             "183.62.140.253 port 50000 ssh2]"));
  CHECK(get(f, "user") == "root");
  CHECK(get(f, "outcome") == "failure");
  CHECK(get(f, "src_ip") == "183.62.140.253");

  f.fill(kept = syslog_event("sshd", "Invalid user  from 198.51.100.4"));  // empty user name
  CHECK(get(f, "user") == "<absent>");
  CHECK(get(f, "src_ip") == "198.51.100.4");
}

TEST_CASE("sudo: invoking user, target account and the whole command") {
  rule_fields f;
  event kept;  // views point into it: it outlives each fill()
  f.fill(kept = syslog_event("sudo",
                             "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; "
                             "COMMAND=/bin/sh -c echo a ; echo b"));
  CHECK(get(f, "user") == "alice");
  CHECK(get(f, "TTY") == "pts/0");
  CHECK(get(f, "PWD") == "/home/alice");
  CHECK(get(f, "USER") == "root");
  CHECK(get(f, "COMMAND") == "/bin/sh -c echo a ; echo b");

  f.fill(kept = syslog_event("sudo",
                             "bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/ ; "
                             "USER=root ; COMMAND=/usr/bin/id"));
  CHECK(get(f, "user") == "bob");
  CHECK(get(f, "COMMAND") == "/usr/bin/id");

  f.fill(kept =
             syslog_event("sudo", "pam_unix(sudo:session): session opened for user root by bob"));
  CHECK(get(f, "USER") == "<absent>");
}

TEST_CASE("auditd: key=value records, quoted and hex-encoded strings, nested msg") {
  rule_fields f;
  event kept;  // views point into it: it outlives each fill()
  f.fill(kept = syslog_event(
             "auditd",
             "type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e syscall=2 "
             "success=no exit=-13 a0=7fffd19c5592 a1=0 comm=\"cat\" exe=\"/usr/bin/cat\" "
             "key=\"sshd_config\"",
             1));
  REQUIRE(get(f, "type") == "SYSCALL");
  CHECK(get(f, "msg") == "audit(1364481363.243:24287)");
  CHECK(get(f, "syscall") == "2");
  CHECK(get(f, "a0") == "7fffd19c5592");  // registers are hex numbers, not strings
  CHECK(get(f, "comm") == "cat");
  CHECK(get(f, "exe") == "/usr/bin/cat");
  CHECK(get(f, "key") == "sshd_config");

  f.fill(kept = syslog_event("auditd",
                             "type=EXECVE msg=audit(1.2:3): argc=3 a0=\"chmod\" a1=\"u+s\" "
                             "a2=2F746D702F6120622063",
                             1));
  CHECK(get(f, "a0") == "chmod");
  CHECK(get(f, "a2") == "/tmp/a b c");

  f.fill(
      kept = syslog_event(
          "auditd", "type=PROCTITLE msg=audit(1.2:3): proctitle=2F62696E2F7368002D6300696400", 1));
  CHECK(get(f, "proctitle") == "/bin/sh -c id");

  f.fill(kept = syslog_event("auditd",
                             "type=USER_AUTH msg=audit(1.2:3): pid=1 uid=0 auid=4294967295 "
                             "msg='op=PAM:authentication acct=\"root\" exe=\"/usr/sbin/sshd\" "
                             "addr=203.0.113.5 res=failed'\x1d"
                             "UID=\"root\" AUID=\"unset\"",
                             1));
  CHECK(get(f, "acct") == "root");
  CHECK(get(f, "addr") == "203.0.113.5");
  CHECK(get(f, "res") == "failed");
  CHECK(get(f, "UID") == "root");
  CHECK(get(f, "AUID") == "unset");
}

TEST_CASE("web access logs: the W3C names Sigma's webserver rules use") {
  rule_fields f;
  event ev;
  ev.message =
      "198.51.100.23 - bob [21/Nov/2026:10:00:00 +0000] \"GET /index.php?id=1%27%20OR"
      "%201=1 HTTP/1.1\" 200 512 \"https://example.com/\" \"sqlmap/1.7\"";
  ev.ls = logsource_inference{}.infer(ev);
  REQUIRE(ev.ls.category == "webserver");
  f.fill(ev);
  CHECK(get(f, "c-ip") == "198.51.100.23");
  CHECK(get(f, "cs-username") == "bob");
  CHECK(get(f, "cs-method") == "GET");
  CHECK(get(f, "cs-uri") == "/index.php?id=1%27%20OR%201=1");
  CHECK(get(f, "cs-uri-stem") == "/index.php");
  CHECK(get(f, "cs-uri-query") == "id=1%27%20OR%201=1");
  CHECK(get(f, "cs-version") == "HTTP/1.1");
  CHECK(get(f, "sc-status") == "200");
  CHECK(get(f, "sc-bytes") == "512");
  CHECK(get(f, "cs-referer") == "https://example.com/");
  CHECK(get(f, "cs-user-agent") == "sqlmap/1.7");

  // Escaped quotes inside the agent; a vhost in front; no user.
  ev.message =
      "example.com:443 192.0.2.1 - - [21/Nov/2026:10:00:00 +0000] \"POST /login HTTP/2.0\""
      " 401 - \"-\" \"a \\\"quoted\\\" agent\"";
  f.fill(ev);
  CHECK(get(f, "c-ip") == "192.0.2.1");
  CHECK(get(f, "cs-username") == "<absent>");
  CHECK(get(f, "cs-uri-query") == "<absent>");
  CHECK(get(f, "sc-status") == "401");
  CHECK(get(f, "sc-bytes") == "-");
  CHECK(get(f, "cs-referer") == "<absent>");
  CHECK(get(f, "cs-user-agent") == "a \\\"quoted\\\" agent");
}

TEST_CASE("squid and DNS servers") {
  rule_fields f;
  event kept;  // views point into it: it outlives each fill()
  f.fill(kept = syslog_event("squid",
                             "1286536309.450     66 192.168.0.68 TCP_MISS/200 2434 GET "
                             "http://203.0.113.8:8080/x/payload.exe?a=1 - DIRECT/203.0.113.8 "
                             "application/octet-stream",
                             16));
  CHECK(get(f, "c-ip") == "192.168.0.68");
  CHECK(get(f, "sc-status") == "200");
  CHECK(get(f, "cs-method") == "GET");
  CHECK(get(f, "c-uri") == "http://203.0.113.8:8080/x/payload.exe?a=1");
  CHECK(get(f, "cs-host") == "203.0.113.8");
  CHECK(get(f, "c-uri-query") == "a=1");
  CHECK(get(f, "c-uri-extension") == "exe");

  f.fill(kept = syslog_event("dnsmasq", "query[TXT] aGVsbG8.tunnel.example.net from 10.1.2.3", 3));
  CHECK(get(f, "record_type") == "TXT");
  CHECK(get(f, "query") == "aGVsbG8.tunnel.example.net");
  CHECK(get(f, "src_ip") == "10.1.2.3");
  f.fill(kept = syslog_event("dnsmasq", "reply evil.example is 203.0.113.66", 3));
  CHECK(get(f, "query") == "evil.example");
  CHECK(get(f, "answer") == "203.0.113.66");
  f.fill(kept = syslog_event("named",
                             "client @0x7f3a 10.0.0.5#53123 (x.example): query: x.example IN "
                             "AAAA +E(0)K (10.0.0.1)",
                             3));
  CHECK(get(f, "query") == "x.example");
  CHECK(get(f, "record_type") == "AAAA");
  CHECK(get(f, "src_ip") == "10.0.0.5");
}

TEST_CASE("hostile messages: truncated, binary, oversized; never a crash, bounded fields") {
  rule_fields f;
  // Every parser on the same input, whatever its logsource would have been.
  const auto all_parsers = [&f](std::string_view m) {
    f.fill(event{});
    f.add_sshd(m);
    f.add_sudo(m);
    f.add_auditd(m);
    f.add_access_log(m);
    f.add_squid(m);
    f.add_dns(m);
    CHECK(f.fields().size() <= rule_fields::max_message_fields + 32);
    for (const auto& fld : f.fields()) {
      // Every view points into the input or is a decoded (shorter) copy of part of it.
      CHECK(fld.name.size() <= m.size());
      CHECK(fld.value.size() <= m.size());
    }
  };
  for (const char* m : {"",
                        "Failed ",
                        "Accepted",
                        "Invalid user ",
                        "from",
                        "x : ",
                        " : A=",
                        "type=",
                        "msg='",
                        "a=\"unterminated",
                        "query[",
                        "query[A",
                        "reply ",
                        "\"",
                        "1.2 3 4 a/ 5",
                        "client @",
                        "query: ",
                        "a : COMMAND=",
                        "1.2.3.4 - - [x] \"GET",
                        "1.2.3.4 - - [x] \"GET / HTTP/1.1",
                        "msg='msg='msg='",
                        "type=EXECVE a1=ABC a2=0",
                        "1.0 2 3 X/ 4 GET ://"})
    all_parsers(m);

  std::string many;
  for (int i = 0; i < 100000; ++i) many += "k" + std::to_string(i) + "=v ";
  all_parsers("type=SYSCALL msg=audit(1.2:3): " + many);
  std::string semis = "alice : ";
  for (int i = 0; i < 100000; ++i) semis += "A=b ; ";
  all_parsers(semis);

  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string junk(rng() % 300, '\0');
    // Mostly the characters the parsers look for, so the random input reaches deep.
    const std::string alphabet = "type=EXECVE a1\"' :;[]()#@/?.0123456789ABCDEF query\x1d\xff";
    for (auto& c : junk)
      c = rng() % 4 == 0 ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    all_parsers(junk);
  }
}
