#pragma once
// A small HTTP/1.1 server on Boost.Beast, one C++20 coroutine per connection, CAF-free. It
// serves a router of exact paths with keep-alive and bounds everything a client controls: the
// header size (431), the body size (413, refused from Content-Length before the body is read),
// the time to send a header (slowloris clients are closed when header_timeout passes, counted
// "header_timeout"), the time to send a body, and the number of open connections (503 beyond).
// Optional TLS with a certificate chain and key from files. stop() closes the listener, lets
// requests in flight finish (within stop_timeout), then reports. Each connection runs on its
// own strand, so any number of threads may run the io_context.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "runtime/net/http/router.hpp"
#include "runtime/net/receiver_counters.hpp"
#include "runtime/util/asio_fwd.hpp"

namespace seerflow::net::http {

struct server_options {
  std::string name = "http";  // in log lines
  std::string bind = "0.0.0.0";
  std::uint16_t port = 0;  // 0 = any free port
  std::size_t max_body = 1024 * 1024;
  std::size_t max_header = 16 * 1024;
  std::size_t max_connections = 256;
  // From the first byte awaited (a new connection, or after a response on a kept-alive one) to
  // the end of the header; also bounds the TLS handshake.
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{30000};  // reading the body, and writing a response
  std::chrono::milliseconds stop_timeout{5000};   // requests in flight at stop() get this long
  std::string tls_cert_file;  // PEM certificate chain; TLS when both files are set
  std::string tls_key_file;   // PEM private key
};

class http_server : public std::enable_shared_from_this<http_server> {
 public:
  // Counts into `counters` (a handle into a registry that must outlive the server):
  // connections accepted/open/refused ("at_limit")/closed (by reason: "eof", "header_timeout",
  // "body_timeout", "reset", "error", "bad_request", "shutdown", "tls_handshake"), and requests
  // refused before a handler ran as records_rejected ("body_too_large", "header_too_large",
  // "bad_request", "not_found", "method_not_allowed", "truncated"). Throws std::runtime_error when
  // the TLS files cannot be loaded.
  http_server(boost::asio::io_context& io, server_options options, router routes,
              receiver_counters& counters);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // Binds with SO_REUSEADDR and starts accepting; returns the bound port. Throws
  // std::system_error naming the address on failure (EADDRINUSE is kept as the code). Call once.
  std::uint16_t start();

  // Callable from any thread, more than once. Closes the listener at once; idle connections
  // close; a connection in the middle of a request finishes it (the response says
  // "Connection: close") unless stop_timeout passes first. Then on_stopped runs on an io_context
  // thread; nothing of the server runs after that. The io_context must keep running until then.
  void stop(std::function<void()> on_stopped);

  std::uint16_t port() const { return port_; }
  bool tls() const;
  std::size_t open_connections() const;

  struct impl;  // opaque: keeps Beast and Asio SSL out of this header

 private:
  std::unique_ptr<impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace seerflow::net::http
