#include "runtime/parse/logsource_inference.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "tests/support/shared_data.hpp"

using seerflow::model::event;
using seerflow::model::logsource;
using seerflow::parse::logsource_inference;

namespace {

event ev(std::string app, std::string message = "", int facility = -1) {
  event e;
  e.app = std::move(app);
  e.message = std::move(message);
  e.facility = static_cast<std::int8_t>(facility);
  return e;
}

const logsource linux_sshd{"linux", "sshd", ""};
const logsource linux_sudo{"linux", "sudo", ""};
const logsource linux_auth{"linux", "auth", ""};
const logsource linux_cron{"linux", "cron", ""};
const logsource linux_auditd{"linux", "auditd", ""};
const logsource linux_syslog{"linux", "syslog", ""};
const logsource webserver{"", "", "webserver"};

}  // namespace

TEST_CASE("programs map to the services Sigma's Linux rules use") {
  const logsource_inference li;
  CHECK(li.infer(ev("sshd", "Accepted password for bob from 1.2.3.4 port 22 ssh2", 10)) ==
        linux_sshd);
  CHECK(li.infer(ev("sshd(pam_unix)", "session opened for user root by (uid=0)", 10)) ==
        linux_sshd);
  CHECK(li.infer(ev("sshd[24200]", "x")) == linux_sshd);
  CHECK(li.infer(ev("/usr/sbin/sshd", "x")) == linux_sshd);
  CHECK(li.infer(ev("SSHD", "x")) == linux_sshd);
  CHECK(li.infer(ev("sudo", "alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/ls", 10)) ==
        linux_sudo);
  CHECK(li.infer(ev("su", "(to root) alice on pts/0", 4)) == linux_auth);
  CHECK(li.infer(ev("su(pam_unix)", "session opened for user cyrus by (uid=0)")) == linux_auth);
  CHECK(li.infer(ev("CRON", "(root) CMD (run-parts /etc/cron.hourly)", 9)) == linux_cron);
  CHECK(li.infer(ev("cron", "x")) == linux_cron);
  CHECK(li.infer(ev("crond", "x")) == linux_cron);
  CHECK(li.infer(ev("pkexec", "alice: Executing command [USER=root] [TTY=/dev/pts/0]")) ==
        linux_auth);
  CHECK(li.infer(ev("systemd", "Started Session 3 of user root.", 3)) == linux_syslog);
  CHECK(li.infer(ev("vsftpd", "x")) == logsource{"linux", "vsftpd", ""});
  CHECK(li.infer(ev("freshclam", "x")) == logsource{"linux", "clamav", ""});
  CHECK(li.infer(ev("guacd", "x")) == logsource{"linux", "guacamole", ""});
}

TEST_CASE("audit records are linux/auditd whoever logs them") {
  const logsource_inference li;
  const std::string rec =
      "type=SYSCALL msg=audit(1364481363.243:24287): arch=c000003e syscall=2 success=no "
      "exit=-13 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"sshd_config\"";
  CHECK(li.infer(ev("", rec)) == linux_auditd);
  CHECK(li.infer(ev("auditd", rec)) == linux_auditd);
  CHECK(li.infer(ev("audispd", rec, 5)) == linux_auditd);
  CHECK(li.infer(ev("kernel", "audit: type=1400 audit(1700000000.123:45): apparmor=\"DENIED\"",
                    0)) == linux_auditd);
  CHECK(li.infer(ev("kernel", "type=1305 audit(1.2:3): op=set audit_enabled=1", 0)) ==
        linux_auditd);
  // The daemon's own messages and kernel lines without a record are ordinary syslog.
  CHECK(li.infer(ev("auditd", "Audit daemon rotating log files", 3)) == linux_syslog);
  CHECK(li.infer(ev("kernel", "Linux version 2.6.5-1.358", 0)) == linux_syslog);
  CHECK(li.infer(ev("kernel", "audit(1122475266.4294965305:0): initialized", 0)) == linux_syslog);
  // Another program quoting an audit-looking text is not auditd.
  CHECK(li.infer(ev("myapp", rec, 1)) == linux_syslog);
  CHECK_FALSE(logsource_inference::is_audit_record("subtype=X audit("));
  CHECK_FALSE(logsource_inference::is_audit_record("type= audit("));
  CHECK_FALSE(logsource_inference::is_audit_record("type=AVC but no stamp"));
}

TEST_CASE("access-log request lines are category webserver") {
  const logsource_inference li;
  const std::string combined =
      "203.0.113.9 - - [10/Oct/2023:13:55:36 +0000] \"GET /index.php?id=1 HTTP/1.1\" 200 2326 "
      "\"-\" \"curl/8.0\"";
  CHECK(li.infer(ev("nginx", combined, 23)) == webserver);
  CHECK(li.infer(ev("apache2", combined)) == webserver);
  CHECK(li.infer(ev("", combined)) == webserver);
  CHECK(li.infer(ev("httpd", "1.2.3.4 - - [x] \"POST /login HTTP/2.0\" 302 0")) == webserver);
  CHECK(li.infer(ev("", "1.2.3.4 - - [x] \"PROPFIND /dav/ HTTP/1.1\" 207 10")) == webserver);
  CHECK(logsource_inference::is_http_access_line("\"GET / HTTP/1.0\" 404 0"));
  CHECK(logsource_inference::is_http_access_line("x \"HEAD /x HTTP/2\" 200 -"));
  // An error-log line or text that merely mentions HTTP is not an access line.
  CHECK_FALSE(logsource_inference::is_http_access_line("GET /x HTTP/1.1 200"));
  CHECK_FALSE(logsource_inference::is_http_access_line("\"get /x HTTP/1.1\" 200"));
  CHECK_FALSE(logsource_inference::is_http_access_line("\"GET /x HTTP/1.1\" abc"));
  CHECK_FALSE(logsource_inference::is_http_access_line("proxy speaks HTTP/1.1\" 200"));
  CHECK_FALSE(logsource_inference::is_http_access_line("\"GET /x HTTP/1.1"));
  CHECK(li.infer(ev("nginx", "[error] 12#12: *1 open() \"/x\" failed", 3)) == linux_syslog);
  CHECK(li.infer(ev("", "[client 1.2.3.4] Directory index forbidden by rule: /var/www/html/")) ==
        logsource{});
}

TEST_CASE("facilities, the syslog fallback and the empty logsource") {
  const logsource_inference li;
  CHECK(li.infer(ev("", "x", 4)) == linux_auth);
  CHECK(li.infer(ev("", "x", 10)) == linux_auth);
  CHECK(li.infer(ev("unix_chkpwd", "password check failed for user (root)", 10)) == linux_auth);
  CHECK(li.infer(ev("myapp", "x", 10)) == linux_auth);
  CHECK(li.infer(ev("", "x", 9)) == linux_cron);
  CHECK(li.infer(ev("ftpd", "connection from 1.2.3.4", 11)) == linux_syslog);
  CHECK(li.infer(ev("ftpd", "connection from 1.2.3.4")) == linux_syslog);
  CHECK(li.infer(ev("", "x", 0)) == linux_syslog);
  CHECK(li.infer(ev("", "2015-10-18 18:01:47,978 INFO [main] x: y")) == logsource{});
  CHECK(li.infer(ev("-", "x")) == logsource{});
}

TEST_CASE("rules can be added and replaced") {
  logsource_inference li;
  li.add_program_rule("Postfix/SMTPD", logsource{"linux", "postfix", ""});
  CHECK(li.infer(ev("postfix/smtpd", "x")) == logsource{"linux", "postfix", ""});
  li.add_program_rule("SSHD", logsource{"linux", "openssh", ""});
  CHECK(li.infer(ev("sshd", "x")) == logsource{"linux", "openssh", ""});
  CHECK(li.add_facility_rule(16, logsource{"linux", "local0", ""}));
  CHECK(li.infer(ev("", "x", 16)) == logsource{"linux", "local0", ""});
  CHECK_FALSE(li.add_facility_rule(24, linux_auth));
  CHECK_FALSE(li.add_facility_rule(-1, linux_auth));
  CHECK(li.infer(ev("", "x", 23)) == linux_syslog);
}

TEST_CASE("every default service is one the Sigma rule corpus uses for product linux") {
  const auto rules = seerflow::test::require_shared_data("sigma-rules") / "rules" / "linux";
  std::set<std::string> services;
  for (const auto& f : std::filesystem::recursive_directory_iterator(rules)) {
    if (f.path().extension() != ".yml") continue;
    std::ifstream in(f.path());
    std::string line;
    while (std::getline(in, line)) {
      const auto p = line.find("service: ");
      if (p != std::string::npos && line.find_first_not_of(' ') == p)
        services.insert(line.substr(p + 9));
    }
  }
  const auto all = seerflow::test::require_shared_data("sigma-rules") / "rules-emerging-threats";
  for (const auto& f : std::filesystem::recursive_directory_iterator(all)) {
    if (f.path().extension() != ".yml" || f.path().filename().string().rfind("lnx_", 0) != 0)
      continue;
    std::ifstream in(f.path());
    std::string line;
    while (std::getline(in, line)) {
      const auto p = line.find("service: ");
      if (p != std::string::npos && line.find_first_not_of(' ') == p)
        services.insert(line.substr(p + 9));
    }
  }
  const logsource_inference li;
  for (auto app :
       {"sshd", "sudo", "su", "cron", "auditd-record", "systemd", "vsftpd", "clamd", "guacd"}) {
    const std::string a = app;
    const auto ls = a == "auditd-record" ? li.infer(ev("", "type=EXECVE msg=audit(1:2): argc=1"))
                                         : li.infer(ev(a, "x"));
    INFO(app << " -> " << ls.service);
    CHECK(ls.product == "linux");
    CHECK(services.count(ls.service) == 1);
  }
}
