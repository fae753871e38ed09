// End-to-end benchmark: generator -> TCP syslog receiver -> source (decode, Drain, entities) ->
// directory -> template and entity actors, and -> SQLite. Starts the real `seerflow` binary,
// sends realistic RFC 3164/5424 traffic over several TCP connections as fast as it is taken,
// waits until every event is in the store, and prints one JSON object: sustained events/s,
// events lost (must be 0), peak RSS of the seerflow process, and the store size.
//
//   bench_e2e_syslog_tcp [--events N] [--connections C] [--binary PATH] [--keep] [--yaml TEXT]
//                        [--ip-pool N] [--data-dir DIR] [--pg-url URL]
// With --pg-url (the config given by --yaml sets storage.backend: postgresql with that URL, on
// a database of its own), events are counted in PostgreSQL instead of the SQLite file.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "runtime/store/pg/pg_connection.hpp"

namespace fs = std::filesystem;
using clk = std::chrono::steady_clock;

namespace {

struct options {
  std::uint64_t events = 2'000'000;
  int connections = 4;
  std::string binary;
  std::string extra_yaml;    // appended to the generated config (to compare settings)
  unsigned ip_pool = 20000;  // distinct client addresses in the traffic
  std::string data_dir;      // default: a directory under the system's temp directory
  bool keep = false;
  std::string pg_url;  // count events here instead of in the SQLite file
};

std::string default_binary() {
  auto self = fs::read_symlink("/proc/self/exe");
  return (self.parent_path().parent_path() / "seerflow").string();
}

// Realistic lines: sshd, sudo, cron, kernel and web-ish messages with client addresses drawn
// from a pool of `ip_pool` and a dozen users on five hosts, so Drain, entity extraction and the
// directory do real work (tens of thousands of entity actors by default).
struct pool_line {
  std::string text;
  std::size_t time_at = 0;  // offset of the record's "HH:MM:SS", rewritten when sent
};

std::vector<pool_line> make_lines(std::size_t n, unsigned ip_pool) {
  std::mt19937_64 rng(42);
  const char* users[] = {"root", "admin",  "alice",    "bob",  "carol",  "deploy",
                         "git",  "oracle", "postgres", "test", "ubuntu", "www-data"};
  const char* hosts[] = {"web-prod-01", "web-prod-02", "db-prod-01", "cache-01", "lb-01"};
  std::vector<pool_line> out;
  out.reserve(n);
  char buf[512];
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = rng();
    const char* user = users[r % 12];
    const char* host = hosts[(r >> 8) % 5];
    const unsigned ip = static_cast<unsigned>((r >> 16) % ip_pool);
    const unsigned a = 10 + ip / 65536, b = ip / 256 % 256, c = ip % 256;
    const unsigned port = 1024 + (r >> 40) % 60000;
    const unsigned pid = 1000 + (r >> 48) % 30000;
    const int sec = static_cast<int>(i % 60), min = static_cast<int>((i / 60) % 60);
    switch ((r >> 56) % 8) {
      case 0:
        std::snprintf(buf, sizeof buf,
                      "<38>Nov 21 10:%02d:%02d %s sshd[%u]: Failed password for invalid user %s "
                      "from %u.%u.%u.7 port %u ssh2",
                      min, sec, host, pid, user, a, b, c, port);
        break;
      case 1:
        std::snprintf(buf, sizeof buf,
                      "<38>Nov 21 10:%02d:%02d %s sshd[%u]: Accepted publickey for %s from "
                      "%u.%u.%u.9 port %u ssh2",
                      min, sec, host, pid, user, a, b, c, port);
        break;
      case 2:
        std::snprintf(buf, sizeof buf,
                      "<85>Nov 21 10:%02d:%02d %s sudo: %s : TTY=pts/%u ; PWD=/home/%s ; "
                      "USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
                      min, sec, host, user, pid % 9, user);
        break;
      case 3:
        std::snprintf(buf, sizeof buf,
                      "<78>Nov 21 10:%02d:%02d %s CRON[%u]: (%s) CMD (/usr/local/bin/backup.sh "
                      "--target /var/backups/%s.tar)",
                      min, sec, host, pid, user, host);
        break;
      case 4:
        std::snprintf(buf, sizeof buf,
                      "<134>1 2026-11-21T10:%02d:%02d.%03uZ %s nginx %u - - %u.%u.%u.5 - - "
                      "\"GET /api/v1/items/%u HTTP/1.1\" 200 %u \"-\" \"curl/7.88.1\"",
                      min, sec, pid % 1000, host, pid, a, b, c, pid, port);
        break;
      case 5:
        std::snprintf(buf, sizeof buf,
                      "<4>Nov 21 10:%02d:%02d %s kernel: [%u.%06u] Out of memory: Killed "
                      "process %u (java) total-vm:%ukB",
                      min, sec, host, pid, port, pid, port * 64);
        break;
      case 6:
        std::snprintf(buf, sizeof buf,
                      "<30>1 2026-11-21T10:%02d:%02dZ %s app %u ORDER [req@32473 id=\"%u\"] order "
                      "%u placed by %s from %u.%u.%u.3 in %u ms",
                      min, sec, host, pid, port, pid, user, a, b, c, port % 900);
        break;
      default:
        std::snprintf(buf, sizeof buf,
                      "<86>Nov 21 10:%02d:%02d %s sshd[%u]: pam_unix(sshd:session): session "
                      "opened for user %s by (uid=0)",
                      min, sec, host, pid, user);
    }
    pool_line l{buf, 0};
    const auto iso = l.text.find("T10:");
    l.time_at = iso != std::string::npos ? iso + 1 : l.text.find(" 10:") + 1;
    out.push_back(std::move(l));
  }
  return out;
}

long peak_rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// CPU seconds (user + system) the process has used so far, from /proc/PID/stat fields 14 and 15:
// on a shared 2-core machine, events per CPU-second is the figure that survives other load.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = stat.rfind(')');  // the command name may hold spaces
  if (close == std::string::npos) return -1;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::uint64_t stored_events(const std::string& db_path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return 0;
  }
  sqlite3_busy_timeout(db, 1000);
  std::uint64_t n = 0;
  sqlite3_stmt* st = nullptr;
  // Ids are dense and increasing, so max(id) is the row count without a full scan.
  if (sqlite3_prepare_v2(db, "select coalesce(max(id),0) from events", -1, &st, nullptr) ==
          SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    n = static_cast<std::uint64_t>(sqlite3_column_int64(st, 0));
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n;
}

// Every poll asks the server for a count; a refused connection (not up yet) counts 0.
std::uint64_t stored_events_pg(const std::string& url) {
  try {
    static seerflow::store::pg::connection c(url);
    return static_cast<std::uint64_t>(c.query("SELECT count(*) FROM events").int64(0, 0));
  } catch (const std::exception&) {
    return 0;
  }
}

int connect_tcp(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  return fd;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--events" && i + 1 < argc)
      o.events = std::stoull(argv[++i]);
    else if (a == "--connections" && i + 1 < argc)
      o.connections = std::stoi(argv[++i]);
    else if (a == "--binary" && i + 1 < argc)
      o.binary = argv[++i];
    else if (a == "--keep")
      o.keep = true;
    else if (a == "--data-dir" && i + 1 < argc)
      o.data_dir = argv[++i];
    else if (a == "--ip-pool" && i + 1 < argc)
      o.ip_pool = static_cast<unsigned>(std::stoul(argv[++i]));
    else if (a == "--pg-url" && i + 1 < argc)
      o.pg_url = argv[++i];
    else if (a == "--yaml" && i + 1 < argc)
      o.extra_yaml += std::string(argv[++i]) + "\n";
    else {
      std::fprintf(stderr,
                   "usage: %s [--events N] [--connections C] [--binary PATH] [--keep] [--yaml "
                   "TEXT] [--ip-pool N] [--data-dir DIR] [--pg-url URL]\n",
                   argv[0]);
      return 2;
    }
  }
  if (o.binary.empty()) o.binary = default_binary();
  const fs::path work = (o.data_dir.empty() ? fs::temp_directory_path() : fs::path(o.data_dir)) /
                        ("seerflow-bench-" + std::to_string(::getpid()));
  fs::create_directories(work);
  {
    std::ofstream cfg(work / "seerflow.yaml");
    cfg << "data_dir: " << (work / "data").string() << "\n"
        << "receivers:\n  syslog:\n    udp: {enabled: false}\n    tcp: {bind: 127.0.0.1, port: 0}\n"
        << o.extra_yaml;
  }
  const auto lines = make_lines(200'000, std::max(1u, o.ip_pool));

  const pid_t child = ::fork();
  if (child == 0) {
    const std::string cfg = (work / "seerflow.yaml").string();
    const std::string err = (work / "stderr.log").string();
    std::freopen(err.c_str(), "w", stderr);
    ::execl(o.binary.c_str(), o.binary.c_str(), "start", "--config", cfg.c_str(), nullptr);
    std::perror("exec");
    ::_exit(127);
  }
  const auto endpoints = work / "data" / "endpoints.json";
  for (int i = 0; i < 600 && !fs::exists(endpoints); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (!fs::exists(endpoints)) {
    std::fprintf(stderr, "seerflow did not start; see %s\n", (work / "stderr.log").c_str());
    ::kill(child, SIGKILL);
    return 1;
  }
  std::uint16_t port = 0;
  {
    auto j = nlohmann::json::parse(std::ifstream(endpoints));
    for (const auto& e : j["endpoints"])
      if (e["protocol"] == "syslog/tcp") port = e["port"];
  }

  // Each connection sends its share of lines, LF-framed, in large writes; send() blocking is
  // the backpressure the receiver applies.
  const auto t0 = clk::now();
  std::vector<std::thread> senders;
  for (int c = 0; c < o.connections; ++c) {
    senders.emplace_back([&, c] {
      const int fd = connect_tcp(port);
      std::string buf;
      buf.reserve(1 << 20);
      const std::uint64_t share =
          o.events / o.connections + (c < static_cast<int>(o.events % o.connections) ? 1 : 0);
      std::size_t idx = static_cast<std::size_t>(c) * 7919;
      // Log time advances with the traffic (10,000 events per second of log time, from
      // 10:00:00), as a busy system's does: event times are nearly sorted, as in real logs.
      char hms[9] = "10:00:00";
      std::uint64_t shown_second = 0;
      for (std::uint64_t i = 0; i < share; ++i) {
        const std::uint64_t second = i * static_cast<std::uint64_t>(o.connections) / 10000;
        if (second != shown_second) {
          shown_second = second;
          std::snprintf(
              hms, sizeof hms, "%02u:%02u:%02u", static_cast<unsigned>(10 + second / 3600),
              static_cast<unsigned>(second / 60 % 60), static_cast<unsigned>(second % 60));
        }
        const auto& line = lines[idx++ % lines.size()];
        const std::size_t at = buf.size() + line.time_at;
        buf += line.text;
        buf.replace(at, 8, hms, 8);
        buf += '\n';
        if (buf.size() > (1 << 19) || i + 1 == share) {
          std::size_t off = 0;
          while (off < buf.size()) {
            const auto n = ::send(fd, buf.data() + off, buf.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
              std::perror("send");
              std::exit(1);
            }
            off += static_cast<std::size_t>(n);
          }
          buf.clear();
        }
      }
      ::shutdown(fd, SHUT_WR);
      char tmp[64];
      while (::recv(fd, tmp, sizeof tmp, 0) > 0) {
      }
      ::close(fd);
    });
  }
  for (auto& t : senders) t.join();
  const auto t_sent = clk::now();

  const auto db_path = (work / "data" / "seerflow.db").string();
  std::uint64_t stored = 0, last = 0;
  auto last_change = clk::now();
  while (true) {
    stored = o.pg_url.empty() ? stored_events(db_path) : stored_events_pg(o.pg_url);
    if (stored >= o.events) break;
    if (stored != last) {
      last = stored;
      last_change = clk::now();
    } else if (clk::now() - last_change > std::chrono::seconds(20)) {
      break;  // no progress for 20 s: report what arrived
    }
    // A count(*) in PostgreSQL costs more than SQLite's max(id): poll less often there.
    std::this_thread::sleep_for(std::chrono::milliseconds(o.pg_url.empty() ? 20 : 100));
  }
  const auto t_done = clk::now();
  const long rss = peak_rss_kb(child);
  const double cpu = cpu_seconds(child);
  ::kill(child, SIGTERM);
  int status = 0;
  ::waitpid(child, &status, 0);
  std::string summary;
  {
    std::ifstream err(work / "stderr.log");
    std::string line;
    while (std::getline(err, line))
      if (line.rfind("summary-json: ", 0) == 0) summary = line.substr(14);
  }
  const double secs = std::chrono::duration<double>(t_done - t0).count();
  nlohmann::ordered_json out;
  out["benchmark"] = "e2e_syslog_tcp";
  out["events_sent"] = o.events;
  out["events_stored"] = stored;
  out["events_lost"] = o.events - std::min(stored, o.events);
  out["connections"] = o.connections;
  out["ip_pool"] = o.ip_pool;
  out["seconds"] = secs;
  out["events_per_s"] = static_cast<double>(stored) / secs;
  out["send_seconds"] = std::chrono::duration<double>(t_sent - t0).count();
  out["peak_rss_mb"] = rss / 1024.0;
  out["seerflow_cpu_seconds"] = cpu;
  out["events_per_cpu_s"] = cpu > 0 ? static_cast<double>(stored) / cpu : 0.0;
  std::error_code ec;
  out["db_mb"] = static_cast<double>(fs::file_size(db_path, ec)) / (1 << 20);
  out["exit_status"] = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (!summary.empty()) out["seerflow_summary"] = nlohmann::json::parse(summary, nullptr, false);
  std::printf("%s\n", out.dump(2).c_str());
  if (!o.keep) fs::remove_all(work, ec);
  return stored == o.events ? 0 : 1;
}
