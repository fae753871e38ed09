#include "runtime/parse/entity_extractor.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "runtime/parse/entity_canonical.hpp"
#include "runtime/parse/uuid5.hpp"
#include "tests/support/shared_data.hpp"

using namespace seerflow;
using parse::entity_extractor;
using parse::entity_options;
using strings = std::vector<std::string>;

namespace {

strings names(const std::vector<model::entity_ref>& v) {
  strings s;
  for (const auto& e : v) s.push_back(std::string(model::to_string(e.type)) + "=" + e.value);
  return s;
}

strings extract(const model::event& ev, entity_options o = {}) {
  entity_extractor x(o);
  std::vector<model::entity_ref> out;
  x.extract(ev, out);
  return names(out);
}

strings msg(std::string_view m) {
  model::event ev;
  ev.message = std::string(m);
  return extract(ev);
}

model::event syslog_event(std::string_view host, std::string_view app, std::string_view m) {
  model::event ev;
  ev.host = std::string(host);
  ev.app = std::string(app);
  ev.message = std::string(m);
  return ev;
}

// Loghub lines decoded as a collector would: RFC 3164 header (host, tag) for the syslog
// files, the text after the logger prefix for the others.
model::event decode_loghub(const std::string& system, std::string line) {
  if (!line.empty() && line.back() == '\r') line.pop_back();
  model::event ev;
  if (system == "Linux" || system == "OpenSSH") {
    std::size_t p = 0;
    for (int k = 0; k < 3; ++k) {  // "Jun 14 15:16:01"
      while (p < line.size() && line[p] == ' ') ++p;
      while (p < line.size() && line[p] != ' ') ++p;
    }
    while (p < line.size() && line[p] == ' ') ++p;
    const std::size_t h = p;
    while (p < line.size() && line[p] != ' ') ++p;
    ev.host = line.substr(h, p - h);
    const std::size_t c = line.find(": ", p);
    if (c == std::string::npos) {
      ev.message = line.substr(p);
    } else {
      ev.app = line.substr(p + 1, c - p - 1);
      ev.message = line.substr(c + 2);
    }
  } else if (system == "Zookeeper") {
    ev.message = line.substr(line.find("] - ") + 4);
  } else if (system == "Apache") {
    ev.message = line.substr(line.find("] ", line.find("] ") + 2) + 2);
  } else {
    const std::size_t c = line.find(": ");
    ev.message = c == std::string::npos ? line : line.substr(c + 2);
  }
  return ev;
}

std::vector<std::string> read_lines(const std::string& system) {
  const auto path = test::require_shared_data("loghub") / system / (system + "_2k.log");
  std::ifstream in(path);
  std::vector<std::string> lines;
  std::string l;
  while (std::getline(in, l)) lines.push_back(l);
  return lines;
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Real lines, exact expectations.

TEST_CASE("real loghub lines yield exactly the expected entities") {
  struct expectation {
    const char* system;
    int line;  // 1-based
    strings want;
  };
  const std::vector<expectation> cases = {
      // OpenSSH
      {"OpenSSH",
       1,
       {"host=labsz", "process=sshd", "domain=ns.marryaldkfaczcz.com", "ip=173.234.31.186"}},
      {"OpenSSH", 2, {"host=labsz", "process=sshd", "user=webmaster", "ip=173.234.31.186"}},
      {"OpenSSH", 3, {"host=labsz", "process=sshd", "user=webmaster"}},
      {"OpenSSH", 4, {"host=labsz", "process=sshd"}},  // "check pass; user unknown"
      {"OpenSSH", 5, {"host=labsz", "process=sshd", "ip=173.234.31.186"}},
      {"OpenSSH", 6, {"host=labsz", "process=sshd", "user=webmaster", "ip=173.234.31.186"}},
      {"OpenSSH", 7, {"host=labsz", "process=sshd", "ip=173.234.31.186"}},
      {"OpenSSH",
       12,
       {"host=labsz", "process=sshd", "host=ec2-52-80-34-196.cn-north-1.compute.amazonaws.com.cn"}},
      {"OpenSSH", 30, {"host=labsz", "process=sshd", "user=root", "ip=5.36.59.76"}},
      {"OpenSSH", 31, {"host=labsz", "process=sshd", "user=root"}},
      {"OpenSSH", 33, {"host=labsz", "process=sshd"}},  // "PAM service(sshd) ignoring max..."
      {"OpenSSH", 40, {"host=labsz", "process=sshd", "ip=112.95.230.3", "user=root"}},
      {"OpenSSH", 41, {"host=labsz", "process=sshd", "user=root", "ip=112.95.230.3"}},
      {"OpenSSH", 42, {"host=labsz", "process=sshd", "ip=112.95.230.3"}},
      {"OpenSSH", 158, {"host=labsz", "process=sshd", "ip=195.154.37.122"}},  // com.jcraft...
      {"OpenSSH", 347, {"host=labsz", "process=sshd", "ip=103.99.0.122"}},    // "No more user auth"
      {"OpenSSH", 355, {"host=labsz", "process=sshd", "user=user", "ip=103.99.0.122"}},
      {"OpenSSH", 956, {"host=labsz", "process=sshd", "user=fztu", "ip=119.137.62.142"}},
      {"OpenSSH", 957, {"host=labsz", "process=sshd", "user=fztu"}},
      // Linux
      {"Linux", 1, {"host=combo", "process=sshd", "ip=218.188.2.4"}},
      {"Linux",
       4,
       {"host=combo", "process=sshd", "host=220-135-151-1.hinet-ip.hinet.net", "user=root"}},
      {"Linux", 14, {"host=combo", "process=su", "user=cyrus"}},
      {"Linux",
       83,
       {"host=combo", "process=ftpd", "ip=24.54.76.216",
        "domain=24-54-76-216.bflony.adelphia.net"}},
      {"Linux", 136, {"host=combo", "process=ftpd"}},  // "User unknown timed out..."
      {"Linux",
       718,
       {"host=combo", "process=ftpd", "ip=203.101.45.59",
        "domain=dsl-chn-static-059.45.101.203.touchtelindia.net"}},
      {"Linux",
       741,
       {"host=combo", "process=ftpd", "ip=62.99.164.82",
        "domain=62.99.164.82.sh.interxion.inode.at"}},
      {"Linux", 898, {"host=combo", "process=login", "user=root"}},  // "by LOGIN(uid=0)"
      {"Linux", 899, {"host=combo", "user=root"}},                   // "ROOT LOGIN ON tty2"
      {"Linux", 901, {"host=combo", "process=udev", "file=/udev/vcsa2"}},
      {"Linux",
       1036,
       {"host=combo", "process=ftpd", "ip=206.196.21.129",
        "domain=host129.206.196.21.maximumasp.com"}},
      {"Linux", 1242, {"host=combo", "process=gdm"}},  // empty ruser= and rhost=
      {"Linux", 1748, {"host=combo", "process=ftpd", "ip=84.102.20.2"}},
      {"Linux", 1910, {"host=combo", "process=kernel", "file=/proc/kmsg"}},
      {"Linux", 1911, {"host=combo", "process=kernel", "domain=bugs.build.redhat.com"}},
      {"Linux", 1931, {"host=combo", "process=kernel"}},     // "root=LABEL=/"
      {"Linux", 1932, {"host=combo", "process=kernel"}},     // "mapped 4G/4G trampoline"
      {"Linux", 1938, {"host=combo", "process=rpc.statd"}},  // "Version 1.0.6 Starting"
      // HDFS
      {"HDFS", 2, {}},  // blk_-6952295868487656571
      {"HDFS", 3, {"ip=10.251.73.220"}},
      {"HDFS", 12, {"ip=10.251.30.6"}},
      {"HDFS",
       16,
       {"file=/user/root/rand/_temporary/_task_200811092030_0001_m_000590_0/part-00590"}},
      // Hadoop
      {"Hadoop", 1, {}},  // org.apache.hadoop.mapreduce.v2.app.MRAppMaster
      {"Hadoop", 15, {"host=msra-sa-41"}},
      {"Hadoop", 32, {"domain=minint-fnanli5.fareast.corp.microsoft.com", "ip=10.86.169.121"}},
      {"Hadoop",
       44,
       {"file=c:\\Users\\msrabi\\AppData\\Local\\Temp\\Jetty_0_0_0_0_62267_mapreduce____.8n7xum"
        "\\webapp"}},
      {"Hadoop", 64, {"domain=msra-sa-39.fareast.corp.microsoft.com", "file=/default-rack"}},
      {"Hadoop", 107, {"host=msra-sa-41"}},
      {"Hadoop", 848, {"ip=10.190.173.170"}},
      // Zookeeper
      {"Zookeeper", 1, {}},  // QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181
      {"Zookeeper", 501, {"ip=10.10.34.13"}},
      {"Zookeeper", 542, {"ip=10.10.34.12"}},
      {"Zookeeper", 581, {}},  // 0.0.0.0/0.0.0.0:3888
      {"Zookeeper", 587, {"host=mesos-master-1"}},
      {"Zookeeper", 615, {"user=zookeeper"}},
      {"Zookeeper", 1350, {"file=/var/lib/zookeeper/version-2/snapshot.300000dcd"}},
      // Spark
      {"Spark", 10, {"host=mesos-slave-07"}},
      {"Spark",
       12,
       {"file=/opt/hdfs/nodemanager/usercache/curi/appcache/application_1485248649253_0147/"
        "blockmgr-70293f72-844a-4b39-9ad6-fb0ad7e364e4"}},
      {"Spark", 14, {"ip=10.10.34.11"}},
      {"Spark", 16, {"host=mesos-slave-07"}},
      {"Spark", 40, {"ip=10.10.34.11"}},
      // Apache (error log)
      {"Apache", 1, {"file=/etc/httpd/conf/workers2.properties"}},
      {"Apache", 2, {}},
  };
  std::map<std::string, std::vector<std::string>> files;
  for (const auto& c : cases) {
    auto& lines = files[c.system];
    if (lines.empty()) lines = read_lines(c.system);
    REQUIRE(static_cast<std::size_t>(c.line) <= lines.size());
    const auto ev = decode_loghub(c.system, lines[c.line - 1]);
    INFO(c.system << " line " << c.line << ": " << ev.message);
    CHECK(extract(ev) == c.want);
  }
}

TEST_CASE("whole loghub files: no false IPs, Java names or versions") {
  entity_extractor x;
  for (const std::string system :
       {"OpenSSH", "Linux", "HDFS", "Hadoop", "Zookeeper", "Spark", "Apache", "HealthApp"}) {
    std::size_t lines = 0, entities = 0;
    for (const auto& l : read_lines(system)) {
      std::vector<model::entity_ref> out;
      x.extract(decode_loghub(system, l), out);
      ++lines;
      entities += out.size();
      for (const auto& e : out) {
        INFO(system << ": " << l);
        if (e.type == model::entity_type::domain) {
          // Every domain found in these logs is a real DNS name under one of these.
          const bool real =
              e.value.ends_with(".com") || e.value.ends_with(".net") || e.value.ends_with(".org") ||
              e.value.ends_with(".at") || e.value.ends_with(".uk") || e.value.ends_with(".mx") ||
              e.value.ends_with(".nl") || e.value.ends_with(".eu") || e.value.ends_with(".br") ||
              e.value.ends_with(".tw") || e.value.ends_with(".info") || e.value.ends_with(".pl") ||
              e.value.ends_with(".edu") || e.value.ends_with(".cn") || e.value.ends_with(".om");
          CHECK(real);
          CHECK_FALSE(e.value.starts_with("org."));
          CHECK_FALSE(e.value.starts_with("com."));
          CHECK_FALSE(e.value.starts_with("java."));
          CHECK_FALSE(e.value.starts_with("android."));
        }
        if (e.type == model::entity_type::ip) CHECK(e.value != "0.0.0.0");
        CHECK(e.id == parse::entity_id(e.type, e.value));
      }
    }
    CHECK(lines == 2000);
    if (system == "HealthApp") CHECK(entities == 0);
  }
}

// ------------------------------------------------------------------------------------------
// IPs

TEST_CASE("IPv4 in context") {
  CHECK(msg("Accepted password for bob from 10.0.0.5 port 22 ssh2") ==
        strings{"user=bob", "ip=10.0.0.5"});
  CHECK(msg("connect to 192.168.1.10:8080 failed") == strings{"ip=192.168.1.10"});
  CHECK(msg("peer [10.1.2.3] closed") == strings{"ip=10.1.2.3"});
  CHECK(msg("rhost=10.1.2.3 src=10.1.2.4 client 10.1.2.5") ==
        strings{"ip=10.1.2.3", "ip=10.1.2.4", "ip=10.1.2.5"});
  CHECK(msg("src=10.0.0.1:5353") == strings{"ip=10.0.0.1"});
  CHECK(msg("range 10.0.0.1-10.0.0.9") == strings{"ip=10.0.0.1", "ip=10.0.0.9"});
  CHECK(msg("(1.2.3.4), '5.6.7.8'; \"9.9.9.9\".") ==
        strings{"ip=1.2.3.4", "ip=5.6.7.8", "ip=9.9.9.9"});
  CHECK(msg("BP-1347369012-10.190.173.170-1444972147527") == strings{"ip=10.190.173.170"});
  CHECK(msg("alice@10.0.0.7 logged in") == strings{"ip=10.0.0.7"});
  CHECK(msg("same 1.1.1.1 and 1.1.1.1 again") == strings{"ip=1.1.1.1"});
}

TEST_CASE("versions, longer dotted numbers and host names are not IPv4") {
  for (auto m :
       {"version 1.2.3", "v2.0.1.7", "Linux version 2.6.5-1.358", "1.2.3.4.5",
        "OID 1.3.6.1.4.1.2021", "build 10.0.19041.1", "256.1.1.1", "010.1.1.1 is octal", "1.2.3.4a",
        "a1.2.3.4", "Detected 731.219 MHz", "blk_-6952295868487656571", "blk_-123",
        "Version 1.0.6.0 Starting", "ver 4.3.2.1", "listening on 0.0.0.0:22", "x_1.2.3.4"})
    CHECK(msg(m) == strings{});
  // A host name that embeds an address is the domain, not the address.
  CHECK(msg("host129.206.196.21.maximumasp.com is up") ==
        strings{"domain=host129.206.196.21.maximumasp.com"});
  CHECK(msg("from 62.99.164.82.sh.interxion.inode.at") ==
        strings{"domain=62.99.164.82.sh.interxion.inode.at"});
}

TEST_CASE("IPv6 bare, bracketed, with zone and mapped") {
  CHECK(msg("from 2001:db8::1 port 22") == strings{"ip=2001:db8::1"});
  CHECK(msg("connect [2001:DB8:0:0::1]:443 ok") == strings{"ip=2001:db8::1"});
  CHECK(msg("addr=fe80::1%eth0 up") == strings{"ip=fe80::1"});
  CHECK(msg("peer ::ffff:10.0.0.1 said hi") == strings{"ip=10.0.0.1"});
  CHECK(msg("loopback ::1.") == strings{"ip=::1"});
  CHECK(msg("full 2001:0db8:85a3:0000:0000:8a2e:0370:7334 here") ==
        strings{"ip=2001:db8:85a3::8a2e:370:7334"});
  CHECK(msg("from fe80::a:1: error") == strings{"ip=fe80::a:1"});
  CHECK(msg("http://[2001:db8::2]:8080/x") == strings{"ip=2001:db8::2"});
}

TEST_CASE("times, MACs, PCI ids and C++ names are not IPv6") {
  for (auto m : {"at 12:34:56 today", "2015-07-29 17:41:44,747", "mac 00:1a:2b:3c:4d:5e",
                 "bridge - 0000:00:1e.0", "std::string and caf::actor", "dead::beef",
                 "0:0:0:0:0:0:0:0:2181", "bind [::]:22", "a::b::c", "12::34::56"})
    CHECK(msg(m) == strings{});
}

// ------------------------------------------------------------------------------------------
// Users

TEST_CASE("users in the phrasings of real authentication logs") {
  CHECK(msg("pam_unix(sshd:session): session opened for user root by (uid=0)") ==
        strings{"user=root"});
  CHECK(msg("session opened for user root by alice(uid=1000)") ==
        strings{"user=root", "user=alice"});
  CHECK(msg("Failed password for invalid user x from 1.2.3.4 port 2 ssh2") ==
        strings{"user=x", "ip=1.2.3.4"});
  CHECK(msg("Failed publickey for git from 1.2.3.4 port 2 ssh2") ==
        strings{"user=git", "ip=1.2.3.4"});
  CHECK(msg("Accepted keyboard-interactive/pam for carol from 1.2.3.4 port 5 ssh2") ==
        strings{"user=carol", "ip=1.2.3.4"});
  CHECK(msg("Postponed publickey for dave from 1.2.3.4 port 5 ssh2 [preauth]") ==
        strings{"user=dave", "ip=1.2.3.4"});
  CHECK(msg("Failed none for illegal user guest from 1.2.3.4") ==
        strings{"user=guest", "ip=1.2.3.4"});
  CHECK(msg("maximum authentication attempts exceeded for root from 1.2.3.4 port 1 ssh2") ==
        strings{"user=root", "ip=1.2.3.4"});
  CHECK(msg("Connection closed by authenticating user admin 1.2.3.4 port 22 [preauth]") ==
        strings{"user=admin", "ip=1.2.3.4"});
  CHECK(msg("Disconnected from invalid user oracle 1.2.3.4 port 22 [preauth]") ==
        strings{"user=oracle", "ip=1.2.3.4"});
  CHECK(msg("New session 5 of user bob.") == strings{"user=bob"});
  CHECK(msg("User nobody not allowed because shell /bin/false does not exist") ==
        strings{"user=nobody", "file=/bin/false"});
  CHECK(msg("user=bob USER=root ruser=carol acct=\"alice\" logname=eve") ==
        strings{"user=bob", "user=root", "user=carol", "user=alice", "user=eve"});
  CHECK(msg("su: (to root) alice on pts/0") == strings{"user=root", "user=alice"});
  CHECK(msg("(to oracle) bob on none") == strings{"user=oracle", "user=bob"});
  CHECK(msg("FAILED su for root by mallory") == strings{"user=root", "user=mallory"});
  CHECK(msg("LOGIN ON tty1 BY alice") == strings{"user=alice"});
  CHECK(msg("FAILED LOGIN 1 FROM tty3 FOR bob, Authentication failure") == strings{"user=bob"});
}

TEST_CASE("sudo lines") {
  CHECK(msg("   alice : TTY=pts/0 ; PWD=/home ; USER=root ; COMMAND=/bin/ls") ==
        strings{"user=alice", "file=/home", "user=root", "file=/bin/ls", "process=ls"});
  CHECK(msg("bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; "
            "COMMAND=/usr/bin/cat /etc/shadow") == strings{"user=bob", "file=/home/bob",
                                                           "user=root", "file=/usr/bin/cat",
                                                           "process=cat", "file=/etc/shadow"});
  CHECK(msg("eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/tmp ; USER=root ; COMMAND=list") ==
        strings{"user=eve", "file=/tmp", "user=root"});
  // An ordinary "name : text" line is not sudo.
  CHECK(msg("error : something failed") == strings{});
}

TEST_CASE("words after 'user' that are not users") {
  for (auto m : {"check pass; user unknown", "Couldn't authenticate user",
                 "Received disconnect from x: 11: Closed due to user request.",
                 "No more user authentication methods available.", "disconnected by user",
                 "User unknown timed out after 900 seconds", "User child is on pid 1234",
                 "Got user-level KeeperException", "user= ruser= ", "ruser= rhost= ",
                 "acct=\"(unknown)\"", "acct=28756E6B6E6F776E29", "session opened by LOGIN(uid=0)",
                 "waiting for data from server", "for user", "user=- user=? user=(unknown)"})
    CHECK(msg(m) == strings{});
}

// ------------------------------------------------------------------------------------------
// Hosts, domains

TEST_CASE("hosts from the header and from host keys") {
  CHECK(extract(syslog_event("Web-01.Example.com.", "nginx", "")) ==
        strings{"host=web-01.example.com", "process=nginx"});
  CHECK(extract(syslog_event("10.0.0.9", "sshd", "")) == strings{"ip=10.0.0.9", "process=sshd"});
  CHECK(extract(syslog_event("-", "-", "")) == strings{});
  CHECK(msg("host=db01 rhost=gw.example.net shost=10.0.0.3 dhost=MAIL hostname=? ") ==
        strings{"host=db01", "host=gw.example.net", "ip=10.0.0.3", "host=mail"});
  CHECK(msg("host=localhost") == strings{});
  CHECK(msg("Starting executor ID 5 on host mesos-slave-07") == strings{"host=mesos-slave-07"});
}

TEST_CASE("domains: real names yes, Java names and files no") {
  CHECK(msg("resolved www.example.com to 1.2.3.4") ==
        strings{"domain=www.example.com", "ip=1.2.3.4"});
  CHECK(msg("see https://Docs.Example.org/a/b?c=d#e now") == strings{"domain=docs.example.org"});
  CHECK(msg("mail from <alice@mail.example.co.uk>") == strings{"domain=mail.example.co.uk"});
  CHECK(msg("query evil.xyz.") == strings{"domain=evil.xyz"});
  CHECK(msg("domain=corp.example.py") == strings{"domain=corp.example.py"});
  CHECK(msg("for ns1.example.sh [10.0.0.1] failed") ==
        strings{"domain=ns1.example.sh", "ip=10.0.0.1"});
  CHECK(msg("https://pypi.org/project/x.py") == strings{"domain=pypi.org"});
  CHECK(msg("mirror: http://ftp.example.so/debian") == strings{"domain=ftp.example.so"});
  CHECK(msg("upload to files.example.io/x") == strings{"domain=files.example.io"});
  CHECK(msg("MSRA-SA-41.fareast.corp.microsoft.com:8030") ==
        strings{"domain=msra-sa-41.fareast.corp.microsoft.com"});
  for (auto m : {"java.io.IOException: boom",
                 "at org.apache.hadoop.mapred.Task.run(Task.java:42)",
                 "loaded workers2.properties",
                 "libc.so.6",
                 "file.txt",
                 "run.py",
                 "build.sh",
                 "perl.pl",
                 "main.rs",
                 "README.md",
                 "libfoo.so",
                 "com.huawei.health",
                 "android.intent.action.SCREEN_ON",
                 "mapreduce.job.id",
                 "fs.default.name",
                 "java.vm.info",
                 "net.ipv4.ip_forward = 1",
                 "workerEnv.init() ok",
                 "e.g. this",
                 "i.e. that",
                 "ASP.NET app",
                 "Foo.app started",
                 "x.zip",
                 "n.leader",
                 "org.apache.hadoop.mapreduce.v2.app",
                 "io.netty.channel",
                 "kernel.core_uses_pid = 1",
                 "under_score.example.com",
                 "QuorumPeer$QuorumServer@1a2b3c",
                 "mice.c(1766)",
                 "dquot_6.5.1",
                 "snapshot.300000dcd",
                 "hadoop-metrics2.properties"})
    CHECK(msg(m) == strings{});
  // The event's own host name is its host, not a domain.
  CHECK(extract(syslog_event("web01.example.com", "app", "web01.example.com started")) ==
        strings{"host=web01.example.com", "process=app"});
}

// ------------------------------------------------------------------------------------------
// Files and processes

TEST_CASE("files: absolute paths, not URL paths") {
  CHECK(msg("open /etc/passwd failed") == strings{"file=/etc/passwd"});
  CHECK(msg("rotated /var/log/auth.log.") == strings{"file=/var/log/auth.log"});
  CHECK(msg("path '/tmp/with space/x' ok") == strings{"file=/tmp/with space/x"});
  CHECK(msg("ran C:\\Windows\\System32\\cmd.exe /c dir") ==
        strings{"file=c:\\Windows\\System32\\cmd.exe"});
  CHECK(msg("image \"C:\\Program Files\\App\\app.exe\" started") ==
        strings{"file=c:\\Program Files\\App\\app.exe"});
  CHECK(msg("share \\\\fs01\\public\\docs\\a.txt mounted") ==
        strings{"file=\\\\fs01\\public\\docs\\a.txt"});
  CHECK(msg("exe=\"/usr/bin/curl\" comm=\"curl\"") ==
        strings{"file=/usr/bin/curl", "process=curl"});
  CHECK(msg("exe=2F7573722F62696E2F6E63 comm=6E63") == strings{"file=/usr/bin/nc", "process=nc"});
  CHECK(msg("process=nginx cwd=/srv/www") == strings{"process=nginx", "file=/srv/www"});
  CHECK(msg("config (/etc/app.conf) loaded, [/etc/b.conf]") ==
        strings{"file=/etc/app.conf", "file=/etc/b.conf"});
  CHECK(msg("/a/../../etc/shadow") == strings{"file=/etc/shadow"});
  for (auto m : {"\"GET /index.html HTTP/1.1\" 200", "POST /api/v1/login HTTP/2.0",
                 "root=LABEL=/ rhgb", "mapped 4G/4G", "PS/2 mouse", "10 MB/s", "a / b",
                 "Error Path:/zk/node", "adding path spec: /ws/*", "ratio 1/2", "/25 subnet",
                 "cmd.exe /c dir /S /Q", "taskkill /im x /f"})
    CHECK(msg(m) == strings{});
  CHECK(msg("GET http://h.example.com/a/b HTTP/1.1") == strings{"domain=h.example.com"});
  CHECK(msg("GET http://intranet/a/b HTTP/1.1") == strings{"host=intranet"});
  CHECK(msg("ls /tmp /etc /usr/share/doc/example.com") ==
        strings{"file=/tmp", "file=/etc", "file=/usr/share/doc/example.com"});
  // Java's InetAddress "/10.1.2.3" is an address, not a file.
  CHECK(msg("src: /10.251.42.84:57069 dest: /10.251.42.84:50010") == strings{"ip=10.251.42.84"});
}

TEST_CASE("fields are read by key") {
  model::event ev;
  ev.fields = {{"src_ip", "10.0.0.1:4444"},
               {"user.name", "alice"},
               {"host.name", "WS-7"},
               {"origin.ip", "10.0.0.2"},
               {"process.executable", "/usr/bin/bash"},
               {"file.path", "/tmp/x"},
               {"url.domain", "example.org"},
               {"meta.sequenceId", "12"},
               {"Image", "C:\\Windows\\System32\\whoami.exe"},
               {"message", "10.9.9.9 in free text is not read from a field"},
               {"client.address", "[2001:db8::5]:80"},
               {"USER", "root"}};
  CHECK(extract(ev) == strings{"ip=10.0.0.1", "user=alice", "host=ws-7", "ip=10.0.0.2",
                               "file=/usr/bin/bash", "process=bash", "file=/tmp/x",
                               "domain=example.org", "file=c:\\Windows\\System32\\whoami.exe",
                               "process=whoami.exe", "ip=2001:db8::5", "user=root"});
}

TEST_CASE("order: header, then fields, then message, duplicates once") {
  model::event ev = syslog_event("gw", "sshd", "Failed password for root from 10.0.0.1 port 2");
  ev.fields = {{"user", "root"}, {"src", "10.0.0.2"}};
  CHECK(extract(ev) ==
        strings{"host=gw", "process=sshd", "user=root", "ip=10.0.0.2", "ip=10.0.0.1"});
}

TEST_CASE("the event's own entity list can be the output") {
  model::event ev = syslog_event("gw", "sshd", "Invalid user admin from 10.0.0.1");
  ev.entities.push_back(model::entity_ref{model::entity_type::host, "kept", {}});
  entity_extractor x;
  x.extract(ev, ev.entities);
  CHECK(names(ev.entities) ==
        strings{"host=kept", "host=gw", "process=sshd", "user=admin", "ip=10.0.0.1"});
}

TEST_CASE("entity types can be switched off") {
  entity_options o;
  o.enabled[static_cast<std::size_t>(model::entity_type::ip)] = false;
  o.enabled[static_cast<std::size_t>(model::entity_type::host)] = false;
  const auto ev = syslog_event("gw", "sshd", "Failed password for root from 10.0.0.1 port 2");
  CHECK(extract(ev, o) == strings{"process=sshd", "user=root"});
}

TEST_CASE("max_per_event bounds the output and the overflow is counted") {
  std::string m;
  for (int i = 0; i < 100; ++i) m += "10.0.0." + std::to_string(i) + " ";
  model::event ev;
  ev.message = m;
  entity_options o;
  o.max_per_event = 5;
  entity_extractor x(o);
  std::vector<model::entity_ref> out{model::entity_ref{}};  // appended to, not replaced
  x.extract(ev, out);
  REQUIRE(out.size() == 6);
  CHECK(out[1].value == "10.0.0.0");
  CHECK(out[5].value == "10.0.0.4");
  CHECK(x.stats().truncated_events == 1);
  CHECK(x.stats().entities == 5);
  std::vector<model::entity_ref> out2;
  ev.message = "10.0.0.1 10.0.0.1";
  x.extract(ev, out2);
  CHECK(out2.size() == 1);
  CHECK(x.stats().truncated_events == 1);
  CHECK(x.stats().events == 2);

  entity_extractor unbounded;
  std::vector<model::entity_ref> all;
  ev.message = m;
  unbounded.extract(ev, all);
  CHECK(all.size() == 32);  // the default bound
}

TEST_CASE("ids are the UUID5 of the canonical value, stable across extractors") {
  const auto ev = syslog_event("LabSZ", "sshd", "Failed password for root from 10.0.0.1");
  entity_extractor a, b;
  std::vector<model::entity_ref> ra, rb, ra2;
  a.extract(ev, ra);
  a.extract(ev, ra2);  // served from the cache
  b.extract(ev, rb);
  REQUIRE(ra.size() == 4);
  CHECK(ra == rb);
  CHECK(ra == ra2);
  CHECK(parse::format_uuid(ra[3].id) == "2b7610f7-1dab-51ff-9d71-b85e3a1b199a");  // ip 10.0.0.1
  CHECK(parse::format_uuid(ra[2].id) == "dca06c79-c78b-5e01-94ab-0f36c3132d8e");  // user root
  for (const auto& e : ra) CHECK(e.id == parse::entity_id(e.type, e.value));

  // Many distinct values through the small cache: every id still right.
  entity_extractor c;
  for (int i = 0; i < 5000; ++i) {
    model::event e;
    e.message = "from 10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1";
    std::vector<model::entity_ref> r;
    c.extract(e, r);
    REQUIRE(r.size() == 1);
    REQUIRE(r[0].id == parse::entity_id(model::entity_type::ip, r[0].value));
  }
}

// ------------------------------------------------------------------------------------------
// Hostile input

TEST_CASE("hostile input: long tokens, many dots, binary, invalid UTF-8, unterminated") {
  std::vector<std::string> inputs = {
      std::string(1 << 20, 'a'),
      std::string(10000, '.'),
      [] {
        std::string s;
        for (int i = 0; i < 10000; ++i) s += "a.";
        return s + "com";
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 10000; ++i) s += "1.";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 10000; ++i) s += "1:";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 20000; ++i) s += "'/";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 20000; ++i) s += "user=\"";
        return s;
      }(),
      [] {
        std::string s;
        for (int i = 0; i < 5000; ++i) s += "user user for for ";
        return s;
      }(),
      "/" + std::string(100000, 'x'),
      "acct=\"unterminated",
      "(to root",
      "[2001:db8::1",
      "http://",
      "http://[",
      "http://[::1",
      "C:\\",
      "\\\\",
      "\\\\\\\\\\\\",
      "user",
      "for",
      "by",
      "@",
      "@@@@",
      "a@",
      "=",
      "x=",
      "user=\xff\xfe",
      "\xc3\x28 \xe2\x82 \xf0\x90\x28\xbc 10.0.0.1",
      std::string("nul\0byte 10.0.0.2", 17),
  };
  std::string bin;
  std::mt19937 rng(1);
  for (int i = 0; i < 65536; ++i) bin.push_back(static_cast<char>(rng()));
  inputs.push_back(bin);

  entity_extractor x;
  for (const auto& in : inputs) {
    model::event ev;
    ev.message = in;
    ev.host = in.substr(0, 300);
    ev.app = in.substr(0, 300);
    ev.fields = {{"user", in.substr(0, 1000)}, {"src", in.substr(0, 64)}};
    std::vector<model::entity_ref> out;
    x.extract(ev, out);
    CHECK(out.size() <= 32);
    for (const auto& e : out) CHECK(e.id == parse::entity_id(e.type, e.value));
  }
  CHECK(msg("\xc3\x28 \xe2\x82 \xf0\x90\x28\xbc 10.0.0.1") == strings{"ip=10.0.0.1"});
  CHECK(msg(std::string("nul\0byte 10.0.0.2", 17)) == strings{"ip=10.0.0.2"});
  CHECK(msg("acct=\"unterminated") == strings{"user=unterminated"});
}

TEST_CASE("randomized: random bytes and mutations of real lines never crash") {
  const std::vector<std::string> seeds = {
      "Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2",
      "reverse mapping checking getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed",
      "authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.36.59.76  user=root",
      "   alice : TTY=pts/0 ; PWD=/home ; USER=root ; COMMAND=/bin/ls",
      "type=SYSCALL msg=audit(1.2:3): exe=\"/usr/bin/x\" comm=\"x\" acct=726F6F74",
      "connect [2001:db8::1]:443 via http://a.example.com/x and C:\\Windows\\x.exe",
      "su: (to root) alice on pts/0",
      "Starting executor ID 5 on host mesos-slave-07 from /10.0.0.1:1",
  };
  std::mt19937 rng(424242);
  entity_extractor x;
  std::size_t total = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string m;
    if (iter % 4 == 0) {
      const std::size_t len = rng() % 200;
      for (std::size_t i = 0; i < len; ++i) m.push_back(static_cast<char>(rng()));
    } else {
      m = seeds[rng() % seeds.size()];
      const int edits = 1 + static_cast<int>(rng() % 6);
      for (int e = 0; e < edits && !m.empty(); ++e) {
        const std::size_t pos = rng() % m.size();
        switch (rng() % 4) {
          case 0:
            m[pos] = static_cast<char>(rng());
            break;
          case 1:
            m.erase(pos, 1 + rng() % 8);
            break;
          case 2:
            m.insert(pos, 1, " .:/@=\"'[]()\\%-"[rng() % 15]);
            break;
          default:
            m = m.substr(0, pos);
            break;
        }
      }
    }
    model::event ev;
    ev.message = m;
    std::vector<model::entity_ref> out;
    x.extract(ev, out);
    REQUIRE(out.size() <= 32);
    for (const auto& e : out) {
      std::string again;
      REQUIRE(parse::canonical(e.type, e.value, again));  // every value is canonical
      REQUIRE(again == e.value);
    }
    total += out.size();
  }
  CHECK(total > 10000);  // the mutated real lines still yield entities
}
