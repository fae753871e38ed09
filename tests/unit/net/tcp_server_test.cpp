// The TCP syslog receiver against real loopback clients: framing, batching across connections,
// backpressure through a real credit_gate, connection limits and timeouts, shutdown.
#include <catch2/catch.hpp>

#include <fcntl.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "runtime/metrics/registry.hpp"
#include "runtime/net/tcp_syslog_server.hpp"
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

  std::uint16_t start(net::tcp_server_options o = {}) {
    o.bind = "127.0.0.1";
    server = std::make_shared<net::tcp_syslog_server>(io.io(), o, sink, counters);
    port = server->start();
    return port;
  }

  std::uint64_t rejected(std::string_view reason) {
    return counters.records_rejected().value(reason);
  }
  std::uint64_t closed(std::string_view reason) {
    return counters.connections_closed().value(reason);
  }

  metrics::registry reg;
  net::receiver_counters counters{reg, "tcp-test"};
  std::shared_ptr<test_sink> sink;
  io_thread io;
  std::shared_ptr<net::tcp_syslog_server> server;  // after io: released before it
  std::uint16_t port = 0;
};

net::tcp_server_options opts(std::size_t batch = 512, std::chrono::milliseconds linger = 5ms) {
  net::tcp_server_options o;
  o.port = 0;
  o.batch_size = batch;
  o.linger = linger;
  return o;
}

}  // namespace

TEST_CASE("records arrive with their peer, arrival time and format") {
  fixture f;
  f.start(opts());
  auto c = tcp_connect(f.port);
  const auto before = util::wall_now_ns();
  const std::string stream = "<13>Oct 11 22:14:15 host app: one\n11 <14>counted<15>three\r\n";
  send_all(c.get(), stream);
  REQUIRE(f.sink->wait_for_records(3));
  const auto after = util::wall_now_ns();
  const auto recs = f.sink->records();
  REQUIRE(recs.size() == 3);
  CHECK(recs[0].data == "<13>Oct 11 22:14:15 host app: one");
  CHECK(recs[1].data == "<14>counted");
  CHECK(recs[2].data == "<15>three");
  for (const auto& r : recs) {
    CHECK(r.peer == local_peer(c.get()));
    CHECK(r.arrival_ns >= before);
    CHECK(r.arrival_ns <= after);
  }
  CHECK(f.sink->batches()[0].format == model::input_format::syslog);
  CHECK(f.counters.records_received.value() == 3);
  CHECK(f.counters.bytes_received.value() == stream.size());
  CHECK(f.counters.connections_accepted.value() == 1);
  CHECK(f.counters.connections_open.value() == 1);
  CHECK(f.counters.batches_submitted.value() == f.sink->batches().size());
}

TEST_CASE("raw format is LF-framed even when lines start with digits") {
  fixture f;
  auto o = opts();
  o.format = model::input_format::raw;
  f.start(o);
  auto c = tcp_connect(f.port);
  send_all(c.get(), "2024-06-01 12:00:00 started\n17 apples\n");
  REQUIRE(f.sink->wait_for_records(2));
  CHECK(f.sink->data() == std::vector<std::string>{"2024-06-01 12:00:00 started", "17 apples"});
  CHECK(f.sink->batches()[0].format == model::input_format::raw);
}

TEST_CASE("batches are cut by size, and the rest waits for the linger") {
  fixture f;
  f.start(opts(4, 60s));
  auto c = tcp_connect(f.port);
  std::string s;
  for (int i = 0; i < 10; ++i) s += "<13>r" + std::to_string(i) + "\n";
  send_all(c.get(), s);
  REQUIRE(f.sink->wait_for_records(8));
  std::this_thread::sleep_for(100ms);
  CHECK(f.sink->batch_sizes() == std::vector<std::size_t>{4, 4});
  // Stopping hands over the partial batch.
  CHECK(stop_and_wait(f.server) == 1);
  CHECK(f.sink->batch_sizes() == std::vector<std::size_t>{4, 4, 2});
  CHECK(f.sink->data().back() == "<13>r9");
  f.server.reset();
}

TEST_CASE("linger hands over a partial batch holding records of several connections") {
  fixture f;
  f.start(opts(1000, 500ms));
  auto a = tcp_connect(f.port);
  auto b = tcp_connect(f.port);
  auto c = tcp_connect(f.port);
  send_all(a.get(), "<13>from a\n");
  send_all(b.get(), "<13>from b\n");
  send_all(c.get(), "<13>from c\n");
  REQUIRE(f.sink->wait_for_records(3));
  CHECK(f.sink->batch_sizes() == std::vector<std::size_t>{3});
  std::set<std::string> peers;
  for (const auto& r : f.sink->records()) peers.insert(r.peer);
  CHECK(peers.size() == 3);
}

TEST_CASE("200 concurrent clients: every record exactly once, in per-connection order") {
  fixture f(64, false, 2);  // two io threads: the server's strand keeps it correct
  f.start(opts());
  constexpr int clients = 200, per_client = 500, threads = 8;
  std::vector<fd_holder> fds;
  std::vector<std::string> peer_of(clients);
  for (int i = 0; i < clients; ++i) {
    fds.push_back(tcp_connect(f.port));
    peer_of[i] = local_peer(fds.back().get());
  }
  auto record = [](int client, int seq) {
    return "<13>client " + std::to_string(client) + " seq " + std::to_string(seq) +
           " user=alice action=login src=10.0.0." + std::to_string(client % 250);
  };
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t) {
    senders.emplace_back([&, t] {
      std::mt19937 rng(t);
      // Each client's whole stream, then written in random-sized pieces interleaved across
      // this thread's clients, so records straddle writes.
      std::vector<std::pair<int, std::string>> streams;
      for (int cl = t; cl < clients; cl += threads) {
        std::string s;
        for (int q = 0; q < per_client; ++q) {
          const auto r = record(cl, q);
          s += cl % 2 ? std::to_string(r.size()) + " " + r : r + "\n";
        }
        streams.emplace_back(cl, std::move(s));
      }
      std::vector<std::size_t> pos(streams.size(), 0);
      bool more = true;
      while (more) {
        more = false;
        for (std::size_t k = 0; k < streams.size(); ++k) {
          auto& [cl, s] = streams[k];
          if (pos[k] >= s.size()) continue;
          const std::size_t n = std::min<std::size_t>(1 + rng() % 3000, s.size() - pos[k]);
          send_all(fds[cl].get(), std::string_view(s).substr(pos[k], n));
          pos[k] += n;
          more = true;
        }
      }
    });
  }
  for (auto& t : senders) t.join();
  REQUIRE(f.sink->wait_for_records(clients * per_client, 60s));
  std::map<std::string, std::vector<std::string>> by_peer;
  for (auto& r : f.sink->records()) by_peer[r.peer].push_back(std::move(r.data));
  REQUIRE(by_peer.size() == clients);
  for (int cl = 0; cl < clients; ++cl) {
    const auto& got = by_peer[peer_of[cl]];
    REQUIRE(got.size() == per_client);
    for (int q = 0; q < per_client; ++q) REQUIRE(got[q] == record(cl, q));
  }
  CHECK(f.counters.records_received.value() == clients * per_client);
  CHECK(f.counters.connections_accepted.value() == clients);
  CHECK(f.counters.records_rejected().total() == 0);
}

TEST_CASE("backpressure: with credits held the sender blocks, and after release nothing is lost") {
  fixture f(1, true);  // one credit, held by the sink until released
  f.start(opts(16));
  auto c = tcp_connect(f.port);
  const int small = 16 * 1024;
  ::setsockopt(c.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  ::fcntl(c.get(), F_SETFL, ::fcntl(c.get(), F_GETFL) | O_NONBLOCK);

  constexpr int total = 100000;
  std::string stream;
  for (int i = 0; i < total; ++i)
    stream += "<13>bp seq " + std::to_string(i) + " padding-padding\n";

  // Write until the socket stays unwritable: the receiver has stopped reading.
  std::size_t sent = 0;
  bool blocked = false;
  while (sent < stream.size()) {
    const auto n = ::send(c.get(), stream.data() + sent, stream.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    REQUIRE((errno == EAGAIN || errno == EWOULDBLOCK));
    pollfd p{c.get(), POLLOUT, 0};
    if (::poll(&p, 1, 500) == 0) {
      blocked = true;
      break;
    }
  }
  REQUIRE(blocked);
  CHECK(sent < stream.size());
  REQUIRE(wait_until([&] { return f.sink->waiting() == 1; }));  // a submit is suspended
  const auto read_then = f.counters.bytes_received.value();
  std::this_thread::sleep_for(200ms);
  CHECK(f.counters.bytes_received.value() == read_then);  // no connection reads
  CHECK(read_then < sent);                                // the rest sits in kernel buffers
  CHECK(f.sink->record_count() == 16);                    // only the batch with the credit

  f.sink->release_held();
  while (sent < stream.size()) {
    const auto n = ::send(c.get(), stream.data() + sent, stream.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
    } else {
      pollfd p{c.get(), POLLOUT, 0};
      ::poll(&p, 1, 100);
    }
  }
  REQUIRE(f.sink->wait_for_records(total, 60s));
  const auto data = f.sink->data();
  REQUIRE(data.size() == total);
  for (int i = 0; i < total; ++i)
    REQUIRE(data[i] == "<13>bp seq " + std::to_string(i) + " padding-padding");
  CHECK(f.counters.records_dropped().total() == 0);
}

TEST_CASE("an idle connection is closed and its partial record counted as truncated") {
  fixture f;
  auto o = opts();
  o.idle_timeout = 200ms;
  f.start(o);
  auto idle = tcp_connect(f.port);
  auto busy = tcp_connect(f.port);
  send_all(idle.get(), "<13>complete\n<13>partial");
  // The busy client keeps talking for longer than the timeout and must stay connected.
  for (int i = 0; i < 12; ++i) {
    send_all(busy.get(), "<13>tick " + std::to_string(i) + "\n");
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(wait_closed_by_peer(idle.get()));
  REQUIRE(wait_until([&] { return f.closed("idle_timeout") == 1; }));
  REQUIRE(f.sink->wait_for_records(13));
  CHECK(f.rejected("truncated") == 1);
  CHECK(f.counters.connections_open.value() == 1);
  send_all(busy.get(), "<13>still here\n");
  REQUIRE(f.sink->wait_for_records(14));
  CHECK(f.sink->data().back() == "<13>still here");
}

TEST_CASE("a half-closed connection delivers everything, then is closed") {
  fixture f;
  f.start(opts());
  auto c = tcp_connect(f.port);
  send_all(c.get(), "<13>first\n6 <14>ab<13>last without LF");
  ::shutdown(c.get(), SHUT_WR);
  REQUIRE(f.sink->wait_for_records(3));
  CHECK(f.sink->data() == std::vector<std::string>{"<13>first", "<14>ab", "<13>last without LF"});
  REQUIRE(wait_closed_by_peer(c.get()));
  REQUIRE(wait_until([&] { return f.closed("eof") == 1; }));
  CHECK(f.counters.connections_open.value() == 0);
  CHECK(f.counters.records_rejected().total() == 0);
}

TEST_CASE("a peer reset mid-record counts the partial record as truncated") {
  fixture f;
  f.start(opts());
  auto c = tcp_connect(f.port);
  const std::string s = "<13>whole\n<13>half a rec";
  send_all(c.get(), s);
  REQUIRE(wait_until([&] { return f.counters.bytes_received.value() == s.size(); }));
  const linger hard{1, 0};  // close() sends RST
  ::setsockopt(c.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  c.reset();
  REQUIRE(wait_until([&] { return f.closed("reset") == 1; }));
  CHECK(f.rejected("truncated") == 1);
  REQUIRE(f.sink->wait_for_records(1));
  CHECK(f.sink->data() == std::vector<std::string>{"<13>whole"});
}

TEST_CASE("a bad frame closes only its own connection") {
  fixture f;
  f.start(opts());
  auto good = tcp_connect(f.port);
  auto bad = tcp_connect(f.port);
  send_all(good.get(), "<13>good 1\n");
  send_all(bad.get(), "<13>fine first\n123456789012 <13>absurd");
  REQUIRE(wait_closed_by_peer(bad.get()));
  REQUIRE(wait_until([&] { return f.closed("bad_frame") == 1; }));
  send_all(good.get(), "<13>good 2\n");
  REQUIRE(f.sink->wait_for_records(3));
  auto data = f.sink->data();
  std::sort(data.begin(), data.end());
  CHECK(data == std::vector<std::string>{"<13>fine first", "<13>good 1", "<13>good 2"});
  CHECK(f.rejected("bad_frame") == 1);
  CHECK(f.counters.connections_open.value() == 1);
}

TEST_CASE("at max_connections the server stops accepting until a connection closes") {
  fixture f;
  auto o = opts();
  o.max_connections = 2;
  f.start(o);
  auto a = tcp_connect(f.port);
  auto b = tcp_connect(f.port);
  REQUIRE(wait_until([&] { return f.counters.connections_accepted.value() == 2; }));
  auto c = tcp_connect(f.port);  // completes in the kernel's backlog
  send_all(c.get(), "<13>from c\n");
  send_all(a.get(), "<13>from a\n");
  REQUIRE(f.sink->wait_for_records(1));
  std::this_thread::sleep_for(200ms);
  CHECK(f.sink->data() == std::vector<std::string>{"<13>from a"});
  CHECK(f.counters.connections_accepted.value() == 2);
  a.reset();
  REQUIRE(f.sink->wait_for_records(2));
  CHECK(f.sink->data().back() == "<13>from c");
  CHECK(f.counters.connections_accepted.value() == 3);
  CHECK(f.counters.connections_open.value() == 2);
  CHECK(f.counters.connections_refused().value("at_limit") == 0);  // deferred, never refused
}

TEST_CASE("stop with clients connected closes them and calls on_stopped once") {
  fixture f;
  f.start(opts(512, 60s));
  std::vector<fd_holder> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(tcp_connect(f.port));
    send_all(clients.back().get(), "<13>client " + std::to_string(i) + "\n");
  }
  send_all(clients[0].get(), "<13>partial");
  REQUIRE(wait_until([&] { return f.counters.records_received.value() == 5; }));
  REQUIRE(wait_until([&] { return f.counters.bytes_received.value() == 5 * 13 + 11; }));
  // Stop from two threads at once: each caller hears back exactly once.
  std::atomic<int> first{0}, second{0};
  std::thread other([&] { f.server->stop([&] { ++second; }); });
  f.server->stop([&] { ++first; });
  other.join();
  REQUIRE(wait_until([&] { return first == 1 && second == 1; }));
  for (auto& c : clients) CHECK(wait_closed_by_peer(c.get()));
  std::this_thread::sleep_for(50ms);
  CHECK(first == 1);
  CHECK(second == 1);
  CHECK(f.sink->record_count() == 5);  // handed over at stop despite the long linger
  CHECK(f.rejected("truncated") == 1);
  CHECK(f.closed("shutdown") == 5);
  CHECK(f.counters.connections_open.value() == 0);
  // A later stop is answered at once.
  CHECK(stop_and_wait(f.server) == 1);
  f.server.reset();
}

TEST_CASE("stop reads what the peer has already sent before closing") {
  // A sender that has written everything and closed believes it delivered: the bytes the kernel
  // acknowledged but the server had not read yet must not be thrown away at stop.
  constexpr int total = 200000;
  std::string stream;
  for (int i = 0; i < total; ++i) stream += "<13>drain seq " + std::to_string(i) + " padding\n";
  SECTION("the peer closed: read to its end") {
    fixture f;
    f.start(opts(512, 5ms));
    {
      auto c = tcp_connect(f.port);
      send_all(c.get(), stream);
    }  // closed
    CHECK(stop_and_wait(f.server) == 1);
    CHECK(f.sink->record_count() == total);
    CHECK(f.sink->data().back() == "<13>drain seq " + std::to_string(total - 1) + " padding");
    CHECK(f.counters.bytes_received.value() == stream.size());
    CHECK(f.closed("eof") == 1);
    CHECK(f.counters.records_rejected().total() == 0);
    f.server.reset();
  }
  SECTION("the peer stays connected: read until it is quiet, then close") {
    fixture f;
    f.start(opts(512, 5ms));
    auto c = tcp_connect(f.port);
    send_all(c.get(), stream);
    send_all(c.get(), "<13>unterminated");
    CHECK(stop_and_wait(f.server) == 1);
    CHECK(f.sink->record_count() == total);
    CHECK(f.counters.bytes_received.value() == stream.size() + 16);
    CHECK(f.closed("shutdown") == 1);
    CHECK(f.rejected("truncated") == 1);
    CHECK(wait_closed_by_peer(c.get()));
    f.server.reset();
  }
}

TEST_CASE("stop while a submit is suspended waits for the sink, then finishes once") {
  SECTION("the sink shuts down: what it refused is counted as dropped") {
    fixture f(1, true);
    f.start(opts(4, 1ms));
    auto c = tcp_connect(f.port);
    std::string s;
    for (int i = 0; i < 20; ++i) s += "<13>r" + std::to_string(i) + "\n";
    send_all(c.get(), s);
    REQUIRE(wait_until([&] { return f.sink->waiting() == 1; }));
    REQUIRE(wait_until([&] { return f.counters.records_received.value() == 20; }));
    std::atomic<int> calls{0};
    f.server->stop([&] { ++calls; });
    std::this_thread::sleep_for(200ms);
    CHECK(calls == 0);  // the batch in submit is the sink's to decide
    f.sink->gate().close();
    REQUIRE(wait_until([&] { return calls == 1; }));
    std::this_thread::sleep_for(50ms);
    CHECK(calls == 1);
    CHECK(f.sink->record_count() == 4);
    CHECK(f.counters.records_dropped().value("shutdown") == 16);
    f.server.reset();
  }
  SECTION("the sink gets credit back: everything is handed over") {
    fixture f(1, true);
    f.start(opts(4, 1ms));
    auto c = tcp_connect(f.port);
    std::string s;
    for (int i = 0; i < 20; ++i) s += "<13>r" + std::to_string(i) + "\n";
    send_all(c.get(), s);
    REQUIRE(wait_until([&] { return f.sink->waiting() == 1; }));
    REQUIRE(wait_until([&] { return f.counters.records_received.value() == 20; }));
    std::atomic<int> calls{0};
    f.server->stop([&] { ++calls; });
    std::this_thread::sleep_for(100ms);
    f.sink->release_held();
    REQUIRE(wait_until([&] { return calls == 1; }));
    CHECK(f.sink->record_count() == 20);
    CHECK(f.counters.records_dropped().total() == 0);
    f.server.reset();
  }
}

TEST_CASE("the owner may drop the server right after stop, and restart on the same port") {
  fixture f;
  const auto port = f.start(opts());
  auto c = tcp_connect(port);
  send_all(c.get(), "<13>before restart\n");
  REQUIRE(f.sink->wait_for_records(1));
  std::atomic<int> calls{0};
  f.server->stop([&] { ++calls; });
  f.server.reset();  // the coroutines keep it alive until they are done
  REQUIRE(wait_until([&] { return calls == 1; }));
  REQUIRE(wait_closed_by_peer(c.get()));

  auto o = opts();
  o.bind = "127.0.0.1";
  o.port = port;
  auto again = std::make_shared<net::tcp_syslog_server>(f.io.io(), o, f.sink, f.counters);
  REQUIRE(again->start() == port);
  auto d = tcp_connect(port);
  send_all(d.get(), "<13>after restart\n");
  REQUIRE(f.sink->wait_for_records(2));
  CHECK(f.sink->data().back() == "<13>after restart");
  CHECK(stop_and_wait(again) == 1);
}

TEST_CASE("bind failures name the address and the reason") {
  fixture f;
  const auto port = f.start(opts());
  auto o = opts();
  o.bind = "127.0.0.1";
  o.port = port;
  auto second = std::make_shared<net::tcp_syslog_server>(f.io.io(), o, f.sink, f.counters);
  REQUIRE_THROWS_WITH(second->start(), "syslog tcp: cannot bind 127.0.0.1:" + std::to_string(port) +
                                           ": Address already in use");
  o.bind = "not-an-address";
  auto third = std::make_shared<net::tcp_syslog_server>(f.io.io(), o, f.sink, f.counters);
  REQUIRE_THROWS_WITH(third->start(),
                      "syslog tcp: invalid bind address 'not-an-address': Invalid argument");
  // A server that never started stops at once.
  CHECK(stop_and_wait(second) == 1);
}

TEST_CASE("records sent by util-linux logger over TCP arrive") {
  if (run_command("command -v logger >/dev/null 2>&1") != 0) {
    WARN("logger (util-linux) is not installed");
    std::exit(77);
  }
  fixture f;
  const auto port = f.start(opts());
  const auto base = "logger --rfc5424 -n 127.0.0.1 -P " + std::to_string(port) + " -t seerflow ";
  REQUIRE(run_command(base + "-T 'lf framed message'") == 0);
  REQUIRE(run_command(base + "-T --octet-count 'octet counted message'") == 0);
  REQUIRE(f.sink->wait_for_records(2));
  const auto data = f.sink->data();
  REQUIRE(data.size() == 2);
  CHECK(data[0].rfind("<13>1 ", 0) == 0);
  CHECK(data[0].size() > std::string(" lf framed message").size());
  CHECK(data[0].substr(data[0].size() - 18) == " lf framed message");
  CHECK(data[0].find(" seerflow ") != std::string::npos);
  CHECK(data[1].rfind("<13>1 ", 0) == 0);
  CHECK(data[1].substr(data[1].size() - 22) == " octet counted message");
  CHECK(f.counters.records_rejected().total() == 0);
}
