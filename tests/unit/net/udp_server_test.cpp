// The UDP syslog receiver against real loopback datagrams: one record per datagram, batching,
// exact accounting of every datagram under backpressure and kernel buffer overflow.
#include <catch2/catch.hpp>

#include <future>
#include <map>

#include "runtime/metrics/registry.hpp"
#include "runtime/net/udp_syslog_server.hpp"
#include "runtime/util/clock.hpp"
#include "tests/unit/net/net_test_support.hpp"

using namespace seerflow;
using namespace seerflow::test;

namespace {

struct fixture {
  explicit fixture(std::size_t credits = 64, bool hold = false, int io_threads = 1)
      : sink(std::make_shared<test_sink>(credits, hold)), io(io_threads) {}
  ~fixture() {
    if (server) stop_and_wait(server);
  }

  std::uint16_t start(net::udp_server_options o) {
    server = std::make_shared<net::udp_syslog_server>(io.io(), o, sink, counters);
    port = server->start();
    return port;
  }

  std::uint64_t dropped(std::string_view reason) {
    return counters.records_dropped().value(reason);
  }
  std::uint64_t rejected(std::string_view reason) {
    return counters.records_rejected().value(reason);
  }
  // Every datagram the kernel handed us or dropped, by fate.
  std::uint64_t accounted() {
    return sink->record_count() + counters.records_dropped().total() +
           counters.records_rejected().total();
  }
  // Drops are reported by the kernel with the next datagram queued, and a partial batch waits
  // for its linger: send paced sentinels until every datagram sent is accounted for.
  void reconcile(int fd, std::uint64_t& sent) {
    for (int i = 0; i < 200 && accounted() != sent; ++i) {
      if (wait_until([&] { return accounted() == sent; }, 100ms)) break;
      udp_send(fd, port, "<13>sentinel");
      ++sent;
    }
  }

  metrics::registry reg;
  net::receiver_counters counters{reg, "udp-test"};
  std::shared_ptr<test_sink> sink;
  io_thread io;
  std::shared_ptr<net::udp_syslog_server> server;  // after io: released before it
  std::uint16_t port = 0;
};

net::udp_server_options opts(std::size_t batch = 512, std::chrono::milliseconds linger = 5ms) {
  net::udp_server_options o;
  o.bind = "127.0.0.1";
  o.port = 0;
  o.batch_size = batch;
  o.linger = linger;
  return o;
}

}  // namespace

TEST_CASE("each datagram is one record, terminators stripped, with peer and arrival time") {
  fixture f;
  f.start(opts());
  auto s = udp_socket();
  const auto before = util::wall_now_ns();
  udp_send(s.get(), f.port, "<13>one\n");
  udp_send(s.get(), f.port, "<14>two\r\n");
  udp_send(s.get(), f.port, std::string("<15>three\0", 10));
  udp_send(s.get(), f.port, "<16>four\nwith an inner line");
  udp_send(s.get(), f.port, "");
  udp_send(s.get(), f.port, "\r\n");
  REQUIRE(f.sink->wait_for_records(4));
  REQUIRE(wait_until([&] { return f.rejected("empty") == 2; }));
  const auto after = util::wall_now_ns();
  const auto recs = f.sink->records();
  REQUIRE(recs.size() == 4);
  CHECK(recs[0].data == "<13>one");
  CHECK(recs[1].data == "<14>two");
  CHECK(recs[2].data == "<15>three");
  CHECK(recs[3].data == "<16>four\nwith an inner line");
  for (const auto& r : recs) {
    CHECK(r.peer == local_peer(s.get()));
    CHECK(r.arrival_ns >= before);
    CHECK(r.arrival_ns <= after);
  }
  CHECK(f.sink->batches()[0].format == model::input_format::syslog);
  CHECK(f.counters.records_received.value() == 4);
  CHECK(f.counters.bytes_received.value() == 8 + 9 + 10 + 27 + 0 + 2);
}

TEST_CASE("oversized datagrams are rejected with their size") {
  fixture f;
  auto o = opts();
  o.max_record = 100;
  f.start(o);
  auto s = udp_socket();
  udp_send(s.get(), f.port, std::string(100, 'a'));
  udp_send(s.get(), f.port, std::string(100, 'b') + "\r\n");
  udp_send(s.get(), f.port, std::string(101, 'c'));
  udp_send(s.get(), f.port, std::string(5000, 'd'));
  udp_send(s.get(), f.port, "<13>after");
  REQUIRE(f.sink->wait_for_records(3));
  REQUIRE(wait_until([&] { return f.rejected("oversized") == 2; }));
  CHECK(f.sink->data() ==
        std::vector<std::string>{std::string(100, 'a'), std::string(100, 'b'), "<13>after"});
  CHECK(f.counters.bytes_received.value() == 100 + 102 + 101 + 5000 + 9);
}

TEST_CASE("UDP batches are cut by size, by linger, and at stop") {
  SECTION("size, then stop") {
    fixture f;
    f.start(opts(4, 60s));
    auto s = udp_socket();
    for (int i = 0; i < 10; ++i) udp_send(s.get(), f.port, "<13>r" + std::to_string(i));
    REQUIRE(f.sink->wait_for_records(8));
    REQUIRE(wait_until([&] { return f.counters.records_received.value() == 10; }));
    std::this_thread::sleep_for(100ms);
    CHECK(f.sink->batch_sizes() == std::vector<std::size_t>{4, 4});
    CHECK(stop_and_wait(f.server) == 1);
    CHECK(f.sink->batch_sizes() == std::vector<std::size_t>{4, 4, 2});
    CHECK(f.sink->data().back() == "<13>r9");
    f.server.reset();
  }
  SECTION("linger") {
    fixture f;
    f.start(opts(1000, 300ms));
    auto a = udp_socket();
    auto b = udp_socket();
    udp_send(a.get(), f.port, "<13>from a");
    udp_send(b.get(), f.port, "<13>from b");
    udp_send(a.get(), f.port, "<13>from a again");
    REQUIRE(f.sink->wait_for_records(3));
    CHECK(f.sink->batch_sizes() == std::vector<std::size_t>{3});
    const auto recs = f.sink->records();
    CHECK(recs[0].peer == local_peer(a.get()));
    CHECK(recs[1].peer == local_peer(b.get()));
    CHECK(recs[2].peer == local_peer(a.get()));
  }
}

TEST_CASE("under backpressure UDP drops whole batches and counts exactly what it dropped") {
  fixture f(2, true);  // two credits, held: two batches get in, then none
  f.start(opts(10, 5ms));
  auto s = udp_socket();
  std::uint64_t sent = 0;
  for (int i = 0; i < 1000; ++i) {
    udp_send(s.get(), f.port, "<13>datagram " + std::to_string(i));
    ++sent;
    if (i % 50 == 49) std::this_thread::sleep_for(1ms);
  }
  f.reconcile(s.get(), sent);
  REQUIRE(f.accounted() == sent);
  CHECK(f.sink->record_count() == 20);
  CHECK(f.dropped("backpressure") > 0);
  CHECK(f.sink->record_count() + f.dropped("backpressure") + f.dropped("kernel_buffer") == sent);
  CHECK(f.counters.records_received.value() == f.sink->record_count() + f.dropped("backpressure"));
  // The first batches are the ones that got in.
  const auto data = f.sink->data();
  CHECK(data.front() == "<13>datagram 0");
  // Credits come back: delivery resumes.
  f.sink->release_held();
  udp_send(s.get(), f.port, "<13>after release");
  REQUIRE(f.sink->wait_for_records(21));
  CHECK(f.sink->data().back() == "<13>after release");
}

TEST_CASE("kernel receive-buffer drops are counted exactly from SO_RXQ_OVFL") {
  fixture f;
  auto o = opts(64, 5ms);
  o.receive_buffer = 4096;  // tiny: the kernel drops while the receiver is held up
  f.start(o);
  auto s = udp_socket();
  std::uint64_t sent = 0;
  {
    // Hold the only io thread so nothing reads while we send.
    std::promise<void> release;
    auto released = release.get_future().share();
    std::promise<void> holding;
    boost::asio::post(f.io.io(), [&holding, released] {
      holding.set_value();
      released.wait();
    });
    holding.get_future().wait();
    for (int i = 0; i < 2000; ++i) {
      udp_send(s.get(), f.port, "<13>burst " + std::to_string(i) + " " + std::string(80, 'x'));
      ++sent;
    }
    release.set_value();
  }
  f.reconcile(s.get(), sent);
  REQUIRE(f.accounted() == sent);
  CHECK(f.dropped("kernel_buffer") > 0);
  CHECK(f.sink->record_count() + f.dropped("kernel_buffer") == sent);
  CHECK(f.dropped("backpressure") == 0);
}

TEST_CASE("many senders with two io threads: every datagram accounted for") {
  fixture f(64, false, 2);
  f.start(opts());
  constexpr int senders = 4, per_sender = 5000;
  std::vector<std::thread> threads;
  std::vector<std::string> peers(senders);
  for (int t = 0; t < senders; ++t) {
    threads.emplace_back([&, t] {
      auto s = udp_socket();
      for (int i = 0; i < per_sender; ++i) {
        udp_send(s.get(), f.port, "<13>sender " + std::to_string(t) + " seq " + std::to_string(i));
        if (i % 100 == 99) std::this_thread::sleep_for(1ms);
      }
      peers[t] = local_peer(s.get());
    });
  }
  for (auto& t : threads) t.join();
  auto s = udp_socket();
  std::uint64_t sent = senders * per_sender;
  f.reconcile(s.get(), sent);
  REQUIRE(f.accounted() == sent);
  // Loss is possible only in the kernel, and then it is counted; datagrams of one sender keep
  // their order on loopback.
  std::map<std::string, std::vector<std::string>> by_peer;
  for (auto& r : f.sink->records()) by_peer[r.peer].push_back(std::move(r.data));
  for (int t = 0; t < senders; ++t) {
    const auto& got = by_peer[peers[t]];
    int last = -1;
    for (const auto& d : got) {
      const auto seq = std::stoi(d.substr(d.rfind(' ') + 1));
      REQUIRE(seq > last);
      last = seq;
    }
  }
  CHECK(f.dropped("backpressure") == 0);
}

TEST_CASE("UDP stop and restart on the same port") {
  fixture f;
  const auto port = f.start(opts(512, 60s));
  auto s = udp_socket();
  udp_send(s.get(), port, "<13>before");
  REQUIRE(wait_until([&] { return f.counters.records_received.value() == 1; }));
  std::atomic<int> calls{0};
  f.server->stop([&] { ++calls; });
  f.server->stop([&] { ++calls; });
  f.server.reset();
  REQUIRE(wait_until([&] { return calls == 2; }));
  CHECK(f.sink->data() == std::vector<std::string>{"<13>before"});  // handed over at stop

  auto o = opts();
  o.port = port;
  auto again = std::make_shared<net::udp_syslog_server>(f.io.io(), o, f.sink, f.counters);
  REQUIRE(again->start() == port);
  udp_send(s.get(), port, "<13>after");
  REQUIRE(f.sink->wait_for_records(2));
  CHECK(f.sink->data().back() == "<13>after");
  CHECK(stop_and_wait(again) == 1);
}

TEST_CASE("UDP bind failures name the address and the reason") {
  fixture f;
  const auto port = f.start(opts());
  auto o = opts();
  o.port = port;
  auto second = std::make_shared<net::udp_syslog_server>(f.io.io(), o, f.sink, f.counters);
  REQUIRE_THROWS_WITH(second->start(), "syslog udp: cannot bind 127.0.0.1:" + std::to_string(port) +
                                           ": Address already in use");
  CHECK(stop_and_wait(second) == 1);
}

TEST_CASE("IPv6 peers are shown in brackets") {
  {
    fd_holder probe(::socket(AF_INET6, SOCK_DGRAM, 0));
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    if (probe.get() < 0 || ::bind(probe.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      WARN("no IPv6 loopback on this host");
      std::exit(77);
    }
  }
  fixture f;
  auto o = opts();
  o.bind = "::1";
  const auto port = f.start(o);
  fd_holder s(::socket(AF_INET6, SOCK_DGRAM, 0));
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_addr = in6addr_loopback;
  to.sin6_port = htons(port);
  const std::string msg = "<13>over ipv6";
  REQUIRE(::sendto(s.get(), msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&to),
                   sizeof to) == static_cast<ssize_t>(msg.size()));
  sockaddr_in6 me{};
  socklen_t len = sizeof me;
  ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&me), &len);
  REQUIRE(f.sink->wait_for_records(1));
  CHECK(f.sink->records()[0].peer == "[::1]:" + std::to_string(ntohs(me.sin6_port)));
}

TEST_CASE("records sent by util-linux logger over UDP arrive") {
  if (run_command("command -v logger >/dev/null 2>&1") != 0) {
    WARN("logger (util-linux) is not installed");
    std::exit(77);
  }
  fixture f;
  const auto port = f.start(opts());
  REQUIRE(run_command("logger --rfc5424 -n 127.0.0.1 -P " + std::to_string(port) +
                      " -t seerflow -d 'udp message from logger'") == 0);
  REQUIRE(f.sink->wait_for_records(1));
  const auto data = f.sink->data();
  REQUIRE(data.size() == 1);
  CHECK(data[0].rfind("<13>1 ", 0) == 0);
  CHECK(data[0].find(" seerflow ") != std::string::npos);
  CHECK(data[0].substr(data[0].size() - 24) == " udp message from logger");
}
