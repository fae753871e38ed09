// The engine against an endpoint that refuses connections (nothing listens on the port): the
// attempt is a transport error, retried with backoff until max_retries, then recorded as
// failed; the row leaves the queue. Deliveries to a real HTTP receiver, including 429/5xx and
// restarts, are in tests/integration/sinks_test.sh.
#include "runtime/notify/delivery_engine.hpp"

#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "runtime/notify/delivery_queue.hpp"
#include "tests/unit/notify/notify_test_alert.hpp"

using namespace seerflow;
using namespace seerflow::notify;

namespace {

// A loopback port with nothing listening: bind, read the port, close.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

template <class Pred>
bool eventually(Pred p) {
  for (int i = 0; i < 400; ++i) {
    if (p()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return false;
}

}  // namespace

TEST_CASE("refused connections are retried with backoff, then recorded as failed") {
  const auto dir =
      std::filesystem::temp_directory_path() / ("seerflow-engine-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto db = (dir / "seerflow.db").string();
  config::sink_settings s;
  s.name = "hook";
  s.type = "webhook";
  s.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/in";
  s.max_retries = 2;
  s.backoff_initial_ms = 10;
  s.backoff_max_ms = 20;
  s.timeout_ms = 2000;
  {
    engine_options o;
    o.db_path = db;
    o.scan_interval_ms = 20;
    delivery_engine e(s, o);
    e.submit(notify::test::sample_alert());
    REQUIRE(eventually([&] { return e.counters().failed.load() == 1; }));
    CHECK(e.counters().submitted.load() == 1);
    CHECK(e.counters().attempts.load() == 3);  // the first and two retries
    CHECK(e.counters().retried.load() == 2);
    CHECK(e.counters().delivered.load() == 0);
  }
  delivery_queue q(db);
  CHECK(q.pending_count("hook") == 0);
  CHECK(q.db().query_text("SELECT status || ' ' || attempts FROM alert_deliveries") == "failed 3");
  std::filesystem::remove_all(dir);
}

TEST_CASE("alerts handed over when the engine stops stay queued for the next one") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("seerflow-engine-stop-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto db = (dir / "seerflow.db").string();
  config::sink_settings s;
  s.name = "slow";
  s.type = "slack";
  s.url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/in";
  s.backoff_initial_ms = 3600000;  // the first retry is far away
  s.backoff_max_ms = 3600000;
  {
    engine_options o;
    o.db_path = db;
    delivery_engine e(s, o);
    for (int i = 0; i < 5; ++i) {
      auto a = notify::test::sample_alert();
      a.id += "-" + std::to_string(i);
      e.submit(a);
    }
  }
  delivery_queue q(db);
  CHECK(q.pending_count("slow") == 5);
  std::filesystem::remove_all(dir);
}
