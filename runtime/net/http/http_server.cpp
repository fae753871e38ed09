#include "runtime/net/http/http_server.hpp"

#include <array>
#include <cerrno>
#include <list>
#include <optional>
#include <stdexcept>
#include <system_error>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "runtime/net/peer_address.hpp"
#include "runtime/util/clock.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::net::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using strand_type = asio::strand<asio::io_context::executor_type>;

namespace {

std::string endpoint_text(const asio::ip::address& a, std::uint16_t port) {
  return a.is_v6() ? "[" + a.to_string() + "]:" + std::to_string(port)
                   : a.to_string() + ":" + std::to_string(port);
}

bool is_reset(const boost::system::error_code& ec) {
  return ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

// A TLS peer that closes without close_notify, or a plain peer that closes, ended normally.
bool is_eof(const boost::system::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::ssl::error::stream_truncated;
}

std::string_view sv(beast::string_view v) {
  return {v.data(), v.size()};
}

// Errors of the HTTP parser itself (bad version, bad header, bad chunk...): a malformed request.
bool is_parse_error(const boost::system::error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_target).category();
}

bhttp::response<bhttp::string_body> to_beast(response&& r, unsigned version, bool keep_alive) {
  bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), version};
  res.set(bhttp::field::server, "seerflow");
  if (!r.body.empty()) res.set(bhttp::field::content_type, r.content_type);
  for (auto& [k, v] : r.headers) res.insert(k, v);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace

// One connection. Everything but `stop_requested` is touched only on `strand`.
struct session {
  explicit session(strand_type s) : strand(std::move(s)) {}
  strand_type strand;
  beast::tcp_stream* stream = nullptr;  // lives in the coroutine frame; null once it ended
  bool busy = false;                    // between a complete header and the response written
  bool stopping = false;
};

struct http_server::impl {
  impl(asio::io_context& io_, server_options o, router r, receiver_counters& c)
      : io(io_),
        opt(std::move(o)),
        routes(std::move(r)),
        counters(c),
        strand(asio::make_strand(io_)),
        acceptor(strand),
        stop_timer(strand) {}

  asio::io_context& io;
  server_options opt;
  router routes;
  receiver_counters counters;
  std::optional<asio::ssl::context> tls;
  strand_type strand;  // the acceptor's
  tcp::acceptor acceptor;
  asio::steady_timer stop_timer;

  mutable std::mutex mtx;  // guards what follows
  std::unordered_map<session*, std::shared_ptr<session>> sessions;
  bool accepting = false;
  bool stopping = false;
  bool stopped = false;
  std::vector<std::function<void()>> on_stopped;

  // `keep` holds the server until the callbacks have run.
  void finish_if_done(std::unique_lock<std::mutex>& lock, std::shared_ptr<http_server> keep);
};

void http_server::impl::finish_if_done(std::unique_lock<std::mutex>& lock,
                                       std::shared_ptr<http_server> keep) {
  if (!stopping || stopped || accepting || !sessions.empty()) return;
  stopped = true;
  auto cbs = std::move(on_stopped);
  on_stopped.clear();
  lock.unlock();
  // Posted, so that the coroutine frames are gone before the owner hears of it.
  asio::post(strand, [this, keep = std::move(keep), cbs = std::move(cbs)] {
    stop_timer.cancel();
    log::info("net", "http '", opt.name, "' stopped");
    for (const auto& cb : cbs) cb();
  });
}

namespace {

using server_ptr = std::shared_ptr<http_server>;

struct request_outcome {
  bool keep_alive = false;
  std::string_view close_reason;  // when !keep_alive
};

// Reads one request from `stream` (plain or TLS) and answers it.
template <class Stream>
asio::awaitable<request_outcome> serve_one(http_server::impl& s, session& sess, Stream& stream,
                                           beast::tcp_stream& tcp, beast::flat_buffer& buf,
                                           const std::string& peer) {
  boost::system::error_code ec;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(s.opt.max_header, UINT32_MAX)));
  parser.body_limit(s.opt.max_body);

  auto reply = [&](response r, unsigned version, bool keep) -> asio::awaitable<bool> {
    auto res = to_beast(std::move(r), version, keep);
    tcp.expires_after(s.opt.body_timeout);
    boost::system::error_code wec;
    co_await bhttp::async_write(stream, res, asio::redirect_error(asio::use_awaitable, wec));
    co_return !wec;
  };
  auto refuse = [&](int status, std::string_view reason,
                    std::string_view text) -> asio::awaitable<request_outcome> {
    s.counters.records_rejected().add(reason);
    co_await reply(text_response(status, text), 11, false);
    co_return request_outcome{false, status == 400 ? "bad_request" : reason};
  };

  tcp.expires_after(s.opt.header_timeout);
  co_await bhttp::async_read_header(stream, buf, parser,
                                    asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    if (sess.stopping && (ec == asio::error::operation_aborted || ec == beast::error::timeout))
      co_return request_outcome{false, "shutdown"};
    if (ec == beast::error::timeout) co_return request_outcome{false, "header_timeout"};
    if (is_eof(ec)) {
      if (buf.size() == 0) co_return request_outcome{false, "eof"};
      s.counters.records_rejected().add("truncated");
      co_return request_outcome{false, "eof"};
    }
    if (ec == bhttp::error::partial_message) {
      s.counters.records_rejected().add("truncated");
      co_return request_outcome{false, "eof"};
    }
    if (is_reset(ec)) co_return request_outcome{false, "reset"};
    // Beast checks a Content-Length against the body limit as soon as it parses the header.
    if (ec == bhttp::error::body_limit)
      co_return co_await refuse(
          413, "body_too_large",
          "request body exceeds " + std::to_string(s.opt.max_body) + " bytes");
    if (ec == bhttp::error::header_limit)
      co_return co_await refuse(
          431, "header_too_large",
          "request header larger than " + std::to_string(s.opt.max_header) + " bytes");
    if (is_parse_error(ec))
      co_return co_await refuse(400, "bad_request", "malformed HTTP request: " + ec.message());
    co_return request_outcome{false, "error"};
  }
  sess.busy = true;
  auto& h = parser.get();
  const unsigned version = h.version();

  // Refused from the header alone: the body is never read, so the connection must close.
  if (const auto cl = parser.content_length(); cl && *cl > s.opt.max_body)
    co_return co_await refuse(413, "body_too_large",
                              "request body of " + std::to_string(*cl) + " bytes exceeds " +
                                  std::to_string(s.opt.max_body));
  // Routed before the body is read: an unknown path costs no body read either.
  const std::string target(sv(h.target()));
  const auto q = target.find('?');
  std::string path = target.substr(0, q);
  const std::string method(sv(h.method_string()));
  const auto m = s.routes.find(method, path);
  if (!m.h) {
    if (m.path_known) {
      s.counters.records_rejected().add("method_not_allowed");
      auto r = text_response(405, "method " + method + " not allowed on this path");
      r.headers.emplace_back("Allow", m.allow);
      r.close = true;
      co_await reply(std::move(r), version, false);
      co_return request_outcome{false, "bad_request"};
    }
    // The body may be unread; closing is simpler and cheaper than draining a stranger's upload.
    s.counters.records_rejected().add("not_found");
    co_await reply(text_response(404, "no endpoint at this path"), version, false);
    co_return request_outcome{false, "bad_request"};
  }
  if (iequals(sv(h[bhttp::field::expect]), "100-continue")) {
    // curl waits up to a second for this before sending bodies over 1 KiB.
    bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, version};
    tcp.expires_after(s.opt.body_timeout);
    co_await bhttp::async_write(stream, cont, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return request_outcome{false, is_reset(ec) ? "reset" : "error"};
  }
  // Beast reads no more than the buffer's free capacity at a time, and a new buffer has 512
  // bytes: a 100 KiB body would cost some 200 reads, each a system call and a timer re-arm
  // (measured: half the CPU of OTLP/HTTP ingest). Room for the announced body, up to 64 KiB.
  if (const auto cl = parser.content_length(); cl && *cl > 0)
    buf.reserve(buf.size() + static_cast<std::size_t>(std::min<std::uint64_t>(*cl, 64 * 1024)));
  tcp.expires_after(s.opt.body_timeout);
  co_await bhttp::async_read(stream, buf, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    if (ec == bhttp::error::body_limit)  // chunked bodies learn it only while reading
      co_return co_await refuse(
          413, "body_too_large",
          "request body exceeds " + std::to_string(s.opt.max_body) + " bytes");
    if (ec == beast::error::timeout) {
      s.counters.records_rejected().add("truncated");
      co_return request_outcome{false, "body_timeout"};
    }
    if (is_eof(ec) || ec == bhttp::error::partial_message) {
      s.counters.records_rejected().add("truncated");
      co_return request_outcome{false, "eof"};
    }
    if (is_reset(ec)) co_return request_outcome{false, "reset"};
    if (is_parse_error(ec))
      co_return co_await refuse(400, "bad_request", "malformed HTTP request: " + ec.message());
    co_return request_outcome{false, "error"};
  }

  request req;
  req.method = method;
  req.target = target;
  req.path = std::move(path);
  if (q != std::string::npos) req.query = target.substr(q + 1);
  for (const auto& f : h) {
    std::string name(sv(f.name_string()));
    for (auto& c : name)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    req.headers.emplace_back(std::move(name), std::string(sv(f.value())));
  }
  req.body = std::move(h.body());
  req.peer = peer;
  req.arrival_ns = util::wall_now_ns();
  req.tls = s.tls.has_value();
  s.counters.bytes_received.add(req.body.size());
  const bool client_keep = h.keep_alive();

  response res;
  try {
    res = co_await (*m.h)(req);
  } catch (const std::exception& e) {
    log::error("net", "http '", s.opt.name, "': handler of ", req.path, " failed: ", e.what());
    res = text_response(500, "internal error");
  }
  const bool keep = client_keep && !res.close && !sess.stopping;
  if (!co_await reply(std::move(res), version, keep)) co_return request_outcome{false, "error"};
  sess.busy = false;
  co_return request_outcome{keep, sess.stopping ? "shutdown" : "eof"};
}

template <class Stream>
asio::awaitable<std::string_view> serve_stream(http_server::impl& s, session& sess, Stream& stream,
                                               beast::tcp_stream& tcp, const std::string& peer) {
  beast::flat_buffer buf;
  for (;;) {
    if (sess.stopping) co_return "shutdown";
    const auto out = co_await serve_one(s, sess, stream, tcp, buf, peer);
    sess.busy = false;
    if (!out.keep_alive) co_return out.close_reason;
  }
}

asio::awaitable<void> run_session(server_ptr keep, http_server::impl& s,
                                  std::shared_ptr<session> sess, tcp::socket sock) {
  boost::system::error_code ec;
  const auto remote = sock.remote_endpoint(ec);
  const std::string peer = ec ? std::string("unknown") : format_peer(remote.data(), remote.size());
  std::string_view reason = "error";
  try {
    if (s.tls) {
      beast::ssl_stream<beast::tcp_stream> tls(beast::tcp_stream(std::move(sock)), *s.tls);
      auto& tcp = beast::get_lowest_layer(tls);
      sess->stream = &tcp;
      tcp.expires_after(s.opt.header_timeout);
      co_await tls.async_handshake(asio::ssl::stream_base::server,
                                   asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        reason = sess->stopping ? "shutdown" : "tls_handshake";
      } else {
        reason = co_await serve_stream(s, *sess, tls, tcp, peer);
        tcp.expires_after(std::chrono::seconds(1));  // a peer that never answers close_notify
        co_await tls.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
      }
      tcp.socket().close(ec);
    } else {
      beast::tcp_stream tcp(std::move(sock));
      sess->stream = &tcp;
      reason = co_await serve_stream(s, *sess, tcp, tcp, peer);
      // Half-close first so the peer reads our last response to the end before it sees the
      // close, instead of a reset that can discard it.
      tcp.socket().shutdown(tcp::socket::shutdown_send, ec);
      if (reason == "bad_request" || reason == "body_too_large" || reason == "header_too_large") {
        // A refused client may still be sending the body we did not read; closing with unread
        // bytes makes the kernel send a reset, which can destroy our answer (413...) before the
        // client reads it. So read and discard for a short, bounded while first.
        std::array<char, 4096> discard;
        std::size_t drained = 0;
        tcp.expires_after(std::chrono::milliseconds(500));
        while (drained < (1u << 20)) {
          const auto n = co_await tcp.async_read_some(
              asio::buffer(discard), asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
          drained += n;
        }
      }
      tcp.socket().close(ec);
    }
    sess->stream = nullptr;
  } catch (const std::exception& e) {
    sess->stream = nullptr;
    log::error("net", "http '", s.opt.name, "': connection from ", peer, " failed: ", e.what());
  }
  s.counters.connections_closed().add(reason);
  s.counters.connections_open.add(-1);
  std::unique_lock lock(s.mtx);
  s.sessions.erase(sess.get());
  s.finish_if_done(lock, std::move(keep));
}

asio::awaitable<void> accept_loop(server_ptr keep, http_server::impl& s) {
  try {
    for (;;) {
      auto strand = asio::make_strand(s.io);
      boost::system::error_code ec;
      tcp::socket sock =
          co_await s.acceptor.async_accept(strand, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        {
          std::lock_guard lock(s.mtx);
          if (s.stopping) break;
        }
        if (ec == asio::error::operation_aborted) continue;
        // Out of descriptors and similar: wait a little instead of spinning.
        log::warn("net", "http '", s.opt.name, "': accept failed: ", ec.message());
        asio::steady_timer t(s.strand, std::chrono::milliseconds(100));
        co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      std::shared_ptr<session> sess;
      {
        // Checked together with the insertion: stop() sees every session it must close.
        std::lock_guard lock(s.mtx);
        if (s.stopping) break;
        if (s.sessions.size() < s.opt.max_connections) {
          sess = std::make_shared<session>(strand);
          s.sessions.emplace(sess.get(), sess);
        }
      }
      if (!sess) {
        // One non-blocking write; a client that cannot take 100 bytes just sees the close.
        static constexpr std::string_view busy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\n"
            "Connection: close\r\n\r\n";
        s.counters.connections_refused().add("at_limit");
        sock.non_blocking(true, ec);
        sock.write_some(asio::buffer(busy.data(), busy.size()), ec);
        sock.shutdown(tcp::socket::shutdown_both, ec);
        sock.close(ec);
        continue;
      }
      s.counters.connections_accepted.add(1);
      s.counters.connections_open.add(1);
      asio::co_spawn(
          strand,
          [keep, &s, sess, sock = std::move(sock)]() mutable {
            return run_session(keep, s, sess, std::move(sock));
          },
          asio::detached);
    }
  } catch (const std::exception& e) {
    log::error("net", "http '", s.opt.name, "': acceptor failed: ", e.what());
  }
  std::unique_lock lock(s.mtx);
  s.accepting = false;
  s.finish_if_done(lock, std::move(keep));
}

}  // namespace

http_server::http_server(asio::io_context& io, server_options options, router routes,
                         receiver_counters& counters)
    : impl_(std::make_unique<impl>(io, std::move(options), std::move(routes), counters)) {
  auto& o = impl_->opt;
  if (o.max_connections == 0) o.max_connections = 1;
  if (o.max_header == 0) o.max_header = 1;
  if (o.tls_cert_file.empty() != o.tls_key_file.empty())
    throw std::runtime_error("http '" + o.name +
                             "': TLS needs both a certificate and a key file (one is empty)");
  if (!o.tls_cert_file.empty()) {
    auto& ctx = impl_->tls.emplace(asio::ssl::context::tls_server);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec)
      throw std::runtime_error("http '" + o.name + "': cannot load TLS certificate '" +
                               o.tls_cert_file + "': " + ec.message());
    ctx.use_private_key_file(o.tls_key_file, asio::ssl::context::pem, ec);
    if (ec)
      throw std::runtime_error("http '" + o.name + "': cannot load TLS key '" + o.tls_key_file +
                               "': " + ec.message());
  }
}

http_server::~http_server() = default;

bool http_server::tls() const {
  return impl_->tls.has_value();
}

std::size_t http_server::open_connections() const {
  std::lock_guard lock(impl_->mtx);
  return impl_->sessions.size();
}

std::uint16_t http_server::start() {
  auto& s = *impl_;
  {
    std::lock_guard lock(s.mtx);
    if (s.accepting || s.stopping) throw std::logic_error("http_server::start called twice");
  }
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(s.opt.bind, ec);
  if (ec)
    throw std::system_error(std::error_code(EINVAL, std::system_category()),
                            "http '" + s.opt.name + "': invalid bind address '" + s.opt.bind + "'");
  const auto where = endpoint_text(addr, s.opt.port);
  const auto fail = [&](const boost::system::error_code& e, const std::string& what) {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);
    throw std::system_error(std::error_code(e.value(), std::system_category()),
                            "http '" + s.opt.name + "': " + what + " " + where);
  };
  const tcp::endpoint ep(addr, s.opt.port);
  s.acceptor.open(ep.protocol(), ec);
  if (ec) fail(ec, "cannot open a socket for");
  s.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) fail(ec, "cannot set SO_REUSEADDR on");
  s.acceptor.bind(ep, ec);
  if (ec) fail(ec, "cannot bind");
  s.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail(ec, "cannot listen on");
  port_ = s.acceptor.local_endpoint(ec).port();
  if (ec) fail(ec, "cannot read the port bound for");
  {
    std::lock_guard lock(s.mtx);
    s.accepting = true;
  }
  log::info("net", "http '", s.opt.name, "' listening on ", endpoint_text(addr, port_),
            s.tls ? " (TLS)" : "", " with ", s.routes.size(), " routes (max_body ", s.opt.max_body,
            ", max_connections ", s.opt.max_connections, ")");
  auto self = shared_from_this();
  asio::co_spawn(
      s.strand, [self, &s]() { return accept_loop(self, s); }, asio::detached);
  return port_;
}

void http_server::stop(std::function<void()> on_stopped) {
  auto& s = *impl_;
  std::unique_lock lock(s.mtx);
  if (on_stopped) s.on_stopped.push_back(std::move(on_stopped));
  if (s.stopping) {
    s.finish_if_done(lock, shared_from_this());
    return;
  }
  s.stopping = true;
  std::vector<std::shared_ptr<session>> live;
  for (const auto& [p, sp] : s.sessions) live.push_back(sp);
  auto self = shared_from_this();
  lock.unlock();
  asio::post(s.strand, [self, &s] {
    boost::system::error_code ignored;
    s.acceptor.close(ignored);  // frees the port at once and ends the accept loop
  });
  // Idle connections (waiting for a header) close now; busy ones after their response.
  for (auto& sess : live) {
    asio::post(sess->strand, [sess] {
      sess->stopping = true;
      if (sess->stream && !sess->busy) sess->stream->cancel();
    });
  }
  // Requests that do not finish in time are cut.
  asio::post(s.strand, [self, &s, live] {
    s.stop_timer.expires_after(s.opt.stop_timeout);
    s.stop_timer.async_wait([self, live](const boost::system::error_code& ec) {
      if (ec) return;
      for (auto& sess : live)
        asio::post(sess->strand, [sess] {
          if (sess->stream) sess->stream->cancel();
        });
    });
  });
  lock.lock();
  s.finish_if_done(lock, self);
}

}  // namespace seerflow::net::http
