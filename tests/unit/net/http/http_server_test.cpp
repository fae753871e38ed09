// The HTTP server against real loopback sockets: routing, keep-alive, limits (body, header,
// connections), slow and half-closed clients, malformed requests and a graceful stop.
#include <catch2/catch.hpp>

#include <atomic>

#include <boost/asio/steady_timer.hpp>

#include "runtime/metrics/registry.hpp"
#include "runtime/net/http/http_server.hpp"
#include "tests/unit/net/net_test_support.hpp"

using namespace seerflow;
using namespace seerflow::test;
namespace http = seerflow::net::http;

namespace {

struct reply {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  bool has_header(std::string_view line) const { return head.find(line) != std::string::npos; }
};

// Reads one response (headers, then Content-Length bytes); status 0 when the server closed first.
reply read_response(int fd, std::string& pending) {
  reply r;
  char buf[4096];
  auto fill = [&]() {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending.append(buf, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t end;
  while ((end = pending.find("\r\n\r\n")) == std::string::npos)
    if (!fill()) return r;
  r.head = pending.substr(0, end + 2);
  pending.erase(0, end + 4);
  r.status = std::stoi(r.head.substr(9, 3));
  std::size_t len = 0;
  for (const char* key : {"Content-Length: ", "content-length: "}) {
    const auto p = r.head.find(key);
    if (p != std::string::npos) len = std::stoul(r.head.substr(p + 16));
  }
  while (pending.size() < len)
    if (!fill()) return r;
  r.body = pending.substr(0, len);
  pending.erase(0, len);
  return r;
}

reply read_response(int fd) {
  std::string pending;
  return read_response(fd, pending);
}

std::string post(std::string_view path, std::string_view body, std::string_view extra = "") {
  return std::string("POST ") + std::string(path) +
         " HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra) + "\r\n" + std::string(body);
}

struct fixture {
  fixture() : io(2) {}
  ~fixture() {
    if (server) stop_and_wait(server);
  }

  std::uint16_t start(http::server_options o = {}) {
    o.bind = "127.0.0.1";
    o.name = "test";
    http::router r;
    r.add("POST", "/echo", [this](http::request& req) -> boost::asio::awaitable<http::response> {
      ++handled;
      auto res = http::text_response(200, req.body);
      if (const auto* h = req.header("x-tag")) res.headers.emplace_back("X-Tag", *h);
      co_return res;
    });
    r.add("GET", "/slow", [this](http::request&) -> boost::asio::awaitable<http::response> {
      entered = true;
      boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
      while (!release) {
        t.expires_after(std::chrono::milliseconds(5));
        co_await t.async_wait(boost::asio::use_awaitable);
      }
      co_return http::text_response(200, "done");
    });
    server = std::make_shared<http::http_server>(io.io(), o, std::move(r), counters);
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
  net::receiver_counters counters{reg, "http-test"};
  io_thread io;
  std::shared_ptr<http::http_server> server;
  std::uint16_t port = 0;
  std::atomic<int> handled{0};
  std::atomic<bool> entered{false};
  std::atomic<bool> release{false};
};

}  // namespace

TEST_CASE("http server answers routed requests and keeps the connection alive", "[http]") {
  fixture f;
  f.start();
  auto fd = tcp_connect(f.port);
  std::string pending;
  send_all(fd.get(), post("/echo", "first", "X-Tag: a\r\n") + post("/echo", "second"));
  const auto a = read_response(fd.get(), pending);
  const auto b = read_response(fd.get(), pending);
  CHECK(a.status == 200);
  CHECK(a.body == "first\n");
  CHECK(a.has_header("X-Tag: a"));
  CHECK(b.status == 200);
  CHECK(b.body == "second\n");
  CHECK(f.handled == 2);
  CHECK(f.counters.connections_accepted.value() == 1);
}

TEST_CASE("http server answers 404 for unknown paths and 405 for other methods", "[http]") {
  fixture f;
  f.start();
  {
    auto fd = tcp_connect(f.port);
    send_all(fd.get(), post("/nope", "x"));
    CHECK(read_response(fd.get()).status == 404);
  }
  {
    auto fd = tcp_connect(f.port);
    send_all(fd.get(), "GET /echo HTTP/1.1\r\nHost: t\r\n\r\n");
    const auto r = read_response(fd.get());
    CHECK(r.status == 405);
    CHECK(r.has_header("Allow: POST"));
  }
  CHECK(f.rejected("not_found") == 1);
  CHECK(f.rejected("method_not_allowed") == 1);
  CHECK(f.handled == 0);
}

TEST_CASE("http server refuses bodies over the limit with 413", "[http]") {
  fixture f;
  http::server_options o;
  o.max_body = 100;
  f.start(o);
  SECTION("declared by Content-Length, refused before the body is read") {
    auto fd = tcp_connect(f.port);
    send_all(fd.get(), "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n");
    CHECK(read_response(fd.get()).status == 413);
    CHECK(wait_closed_by_peer(fd.get()));
  }
  SECTION("chunked, found while reading") {
    auto fd = tcp_connect(f.port);
    const std::string chunk(80, 'a');
    send_all(fd.get(),
             "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n50\r\n" + chunk +
                 "\r\n50\r\n" + chunk + "\r\n0\r\n\r\n");
    CHECK(read_response(fd.get()).status == 413);
  }
  CHECK(f.rejected("body_too_large") == 1);
  CHECK(f.handled == 0);
}

TEST_CASE("http server refuses oversized headers with 431", "[http]") {
  fixture f;
  http::server_options o;
  o.max_header = 1024;
  f.start(o);
  auto fd = tcp_connect(f.port);
  send_all(fd.get(), "POST /echo HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4000, 'b') +
                         "\r\nContent-Length: 0\r\n\r\n");
  CHECK(read_response(fd.get()).status == 431);
  CHECK(f.rejected("header_too_large") == 1);
}

TEST_CASE("http server answers malformed requests with 400 and binary garbage is harmless",
          "[http]") {
  fixture f;
  f.start();
  {
    auto fd = tcp_connect(f.port);
    send_all(fd.get(), "POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n");
    CHECK(read_response(fd.get()).status == 400);
  }
  {
    auto fd = tcp_connect(f.port);
    std::string junk;
    for (int i = 0; i < 512; ++i) junk += static_cast<char>((i * 37) & 0xff);
    send_all(fd.get(), junk + "\r\n\r\n");
    const auto r = read_response(fd.get());
    CHECK((r.status == 400 || r.status == 0));
    CHECK(wait_closed_by_peer(fd.get()));
  }
  CHECK(f.rejected("bad_request") >= 1);
  // The server still serves.
  auto fd = tcp_connect(f.port);
  send_all(fd.get(), post("/echo", "ok"));
  CHECK(read_response(fd.get()).status == 200);
}

TEST_CASE("http server closes slowloris clients when the header does not arrive in time",
          "[http]") {
  fixture f;
  http::server_options o;
  o.header_timeout = std::chrono::milliseconds(300);
  f.start(o);
  auto fd = tcp_connect(f.port);
  const std::string head = "POST /echo HTTP/1.1\r\nHost: t\r\nX-Slow: ";
  // One byte at a time, each well within any per-read timeout: only a deadline on the whole
  // header stops this client.
  bool closed = false;
  for (std::size_t i = 0; i < 10000 && !closed; ++i) {
    if (::send(fd.get(), i < head.size() ? &head[i] : "a", 1, MSG_NOSIGNAL) != 1) break;
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 20) > 0) closed = true;
  }
  CHECK(wait_closed_by_peer(fd.get()));
  CHECK(wait_until([&] { return f.closed("header_timeout") == 1; }));
  CHECK(f.handled == 0);
}

TEST_CASE("http server answers a client that half-closed after its request", "[http]") {
  fixture f;
  f.start();
  auto fd = tcp_connect(f.port);
  send_all(fd.get(), post("/echo", "half"));
  ::shutdown(fd.get(), SHUT_WR);
  const auto r = read_response(fd.get());
  CHECK(r.status == 200);
  CHECK(r.body == "half\n");
  CHECK(wait_closed_by_peer(fd.get()));
  CHECK(wait_until([&] { return f.closed("eof") == 1; }));
}

TEST_CASE("http server counts a request cut by a half-close as truncated", "[http]") {
  fixture f;
  f.start();
  auto fd = tcp_connect(f.port);
  send_all(fd.get(), "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly part");
  ::shutdown(fd.get(), SHUT_WR);
  CHECK(wait_closed_by_peer(fd.get()));
  CHECK(wait_until([&] { return f.rejected("truncated") == 1; }));
  CHECK(f.handled == 0);
}

TEST_CASE("http server answers 503 beyond max_connections", "[http]") {
  fixture f;
  http::server_options o;
  o.max_connections = 1;
  f.start(o);
  auto first = tcp_connect(f.port);
  send_all(first.get(), post("/echo", "a"));
  CHECK(read_response(first.get()).status == 200);  // the first one is surely accepted now
  auto second = tcp_connect(f.port);
  const auto r = read_response(second.get());
  CHECK(r.status == 503);
  CHECK(r.has_header("Retry-After: 1"));
  CHECK(f.counters.connections_refused().value("at_limit") == 1);
  first.reset();
  // Once the first closes, new clients are served again.
  CHECK(wait_until([&] { return f.server->open_connections() == 0; }));
  auto third = tcp_connect(f.port);
  send_all(third.get(), post("/echo", "c"));
  CHECK(read_response(third.get()).status == 200);
}

TEST_CASE("http server stop lets a request in flight finish and closes idle connections",
          "[http]") {
  fixture f;
  f.start();
  auto idle = tcp_connect(f.port);
  auto busy = tcp_connect(f.port);
  send_all(busy.get(), "GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  REQUIRE(wait_until([&] { return f.entered.load(); }));
  auto calls = std::make_shared<std::atomic<int>>(0);
  f.server->stop([calls] { ++*calls; });
  CHECK(wait_closed_by_peer(idle.get()));
  // The listener is gone at once.
  CHECK(wait_until([&] {
    try {
      tcp_connect(f.port);
      return false;
    } catch (const std::exception&) {
      return true;
    }
  }));
  CHECK(calls->load() == 0);  // the slow request still runs
  f.release = true;
  const auto r = read_response(busy.get());
  CHECK(r.status == 200);
  CHECK(r.body == "done\n");
  CHECK(r.has_header("Connection: close"));
  CHECK(wait_until([&] { return calls->load() == 1; }));
  CHECK(f.closed("shutdown") == 2);
  f.server.reset();
}

TEST_CASE("http routes refuse duplicates and relative paths", "[http]") {
  http::router r;
  auto h = [](http::request&) -> boost::asio::awaitable<http::response> {
    co_return http::text_response(200, "");
  };
  r.add("POST", "/a", h);
  CHECK_THROWS_AS(r.add("POST", "/a", h), std::invalid_argument);
  CHECK_THROWS_AS(r.add("POST", "a", h), std::invalid_argument);
  r.add("GET", "/a", h);
  CHECK(r.find("GET", "/a").h != nullptr);
  const auto m = r.find("PUT", "/a");
  CHECK(m.h == nullptr);
  CHECK(m.path_known);
  CHECK(m.allow == "POST, GET");
  CHECK_FALSE(r.find("GET", "/b").path_known);
}
