#include "runtime/system/cluster_transport.hpp"

#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

namespace seerflow::system {

void enable_cluster_transport(caf::actor_system_config& cfg, const config::cluster_settings& c) {
  cfg.load<caf::io::middleman>();
  cfg.load<caf::openssl::manager>();
  // With a certificate, a key and a CA, caf_openssl verifies the peer's certificate against the
  // CA on both sides of every connection: a node without a certificate signed by it is refused
  // during the handshake (tests/integration/cluster_tls_test.sh).
  cfg.openssl_certificate = c.tls_certificate;
  cfg.openssl_key = c.tls_key;
  cfg.openssl_cafile = c.tls_ca_file;
}

}  // namespace seerflow::system
