// Every TLS I/O call starts with an empty OpenSSL error queue, as OpenSSL requires
// (SSL_get_error(3): "the current thread's error queue must be empty before the TLS/SSL I/O
// operation is attempted").
//
// Why this file exists: CAF 0.17's OpenSSL transport (libcaf_openssl, end of life upstream)
// never empties the queue. All of a node's TLS connections share the middleman's thread, so
// one failed handshake (a peer with a bad certificate, a port scanner, any non-TLS bytes)
// leaves errors behind, and the next SSL_read on a *healthy* cluster link that merely has no
// data yet is misread as a fatal error: the link drops (found by integration/cluster_tls; the
// links came back after a redial, but every refused peer cost the whole cluster a reshuffle).
// Defined in the executable, these wrappers take precedence over libssl's functions for every
// library in the process (ELF symbol interposition) and call the real ones. Clearing first is
// what the other TLS users here (Asio/Beast, gRPC) do anyway, so for them nothing changes.
// Linked into `seerflow` only (CMakeLists.txt): a library could not interpose.
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

namespace {

template <class F>
F real(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

int SSL_read(SSL* s, void* buf, int num) {
  static const auto next = real<int (*)(SSL*, void*, int)>("SSL_read");
  ERR_clear_error();
  return next(s, buf, num);
}

int SSL_write(SSL* s, const void* buf, int num) {
  static const auto next = real<int (*)(SSL*, const void*, int)>("SSL_write");
  ERR_clear_error();
  return next(s, buf, num);
}

int SSL_accept(SSL* s) {
  static const auto next = real<int (*)(SSL*)>("SSL_accept");
  ERR_clear_error();
  return next(s);
}

int SSL_connect(SSL* s) {
  static const auto next = real<int (*)(SSL*)>("SSL_connect");
  ERR_clear_error();
  return next(s);
}

}  // extern "C"
