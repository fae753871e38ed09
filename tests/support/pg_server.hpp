#pragma once
// A throw-away PostgreSQL server for tests: Debian's postgresql-15 binaries, a cluster made by
// initdb in a temporary directory, listening on a free loopback port, stopped and removed when
// the test process ends. initdb refuses to run as root, so under root the server runs as the
// `postgres` system user (created by the postgresql package) through runuser.
//
// available() is false, with the reason in why_unavailable(), only when the binaries are
// missing (deploy/install-deps.sh installs them); a server that fails to start is a failure.
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "runtime/store/pg/pg_connection.hpp"

namespace seerflow::test {

class pg_server {
 public:
  // The process's server, started on first use.
  static pg_server& shared() {
    static std::unique_ptr<pg_server> s(new pg_server());
    return *s;
  }

  bool available() const { return available_; }
  const std::string& why_unavailable() const { return why_; }
  int port() const { return port_; }
  const std::string& socket_dir() const { return dir_; }

  // A URL of the server's maintenance database.
  std::string admin_url() const {
    return "postgresql://seer@127.0.0.1:" + std::to_string(port_) + "/postgres";
  }
  // A new empty database of its own for one test; returns its URL.
  std::string create_database() {
    const std::string name = "t" + std::to_string(++databases_);
    store::pg::connection c(admin_url());
    c.exec("CREATE DATABASE " + name);  // the name is ours, not input
    return "postgresql://seer@127.0.0.1:" + std::to_string(port_) + "/" + name;
  }

  ~pg_server() {
    if (!started_) return;
    run(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate stop > /dev/null 2>&1");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  pg_server() {
    const char* env = std::getenv("SEERFLOW_PG_BIN");
    bin_ = env && *env ? env : "/usr/lib/postgresql/15/bin";
    for (const char* tool : {"initdb", "pg_ctl", "postgres"}) {
      if (!std::filesystem::exists(bin_ + "/" + tool)) {
        why_ = bin_ + "/" + tool +
               " not found: install the postgresql package (deploy/install-deps.sh), or set "
               "SEERFLOW_PG_BIN";
        return;
      }
    }
    available_ = true;
    start();
  }

  // Runs a shell command as the server's user.
  int run(const std::string& cmd) const {
    const std::string full = ::geteuid() == 0 ? "runuser -u postgres -- sh -c '" + cmd + "'" : cmd;
    return std::system(full.c_str());
  }

  static int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("no free loopback port");
    ::close(fd);
    return ntohs(a.sin_port);
  }

  static std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  void start() {
    dir_ = (std::filesystem::temp_directory_path() /
            ("seerflow-pg-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand())))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (::geteuid() == 0) {
      const passwd* pw = ::getpwnam("postgres");
      if (!pw) throw std::runtime_error("running as root, but there is no postgres user");
      if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0)
        throw std::runtime_error("cannot hand " + dir_ + " to the postgres user");
    }
    if (run(bin_ + "/initdb -D " + dir_ + "/data -A trust -U seer -E UTF8 --no-locale > " + dir_ +
            "/initdb.log 2>&1") != 0)
      throw std::runtime_error("initdb failed: " + read_file(dir_ + "/initdb.log"));
    // fsync off: a test server's durability is not under test, its speed is the suite's.
    for (int attempt = 0;; ++attempt) {
      port_ = free_port();
      const std::string opts = "-p " + std::to_string(port_) +
                               " -c listen_addresses=127.0.0.1 -k " + dir_ +
                               " -c fsync=off -c full_page_writes=off -c synchronous_commit=off";
      if (run(bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/server.log -w -t 60 -o \"" +
              opts + "\" start > /dev/null 2>&1") == 0)
        break;
      if (attempt == 2)
        throw std::runtime_error("pg_ctl start failed: " + read_file(dir_ + "/server.log"));
    }
    started_ = true;
  }

  std::string bin_, dir_, why_;
  bool available_ = false, started_ = false;
  int port_ = 0;
  int databases_ = 0;
};

}  // namespace seerflow::test
