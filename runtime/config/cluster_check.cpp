#include "runtime/config/cluster_check.hpp"

#include <fstream>

namespace seerflow::config {

std::string cluster_node_id(const settings& s) {
  return s.cluster.node_id.empty() ? s.node_name : s.cluster.node_id;
}

std::vector<std::string> cluster_problems(const settings& s) {
  std::vector<std::string> out;
  auto need = [&](const char* key, const std::string& path, const char* what) {
    if (path.empty()) {
      out.push_back(std::string(key) + ": node mode needs " + what +
                    " (nodes only talk over mutual TLS)");
      return;
    }
    std::ifstream in(path);
    if (!in) out.push_back(std::string(key) + ": cannot read " + what + " file '" + path + "'");
  };
  need("cluster.tls.certificate", s.cluster.tls_certificate, "this node's PEM certificate");
  need("cluster.tls.key", s.cluster.tls_key, "the PEM private key of the certificate");
  need("cluster.tls.ca_file", s.cluster.tls_ca_file, "the PEM CA that signs every node");
  if (s.cluster.reconnect_min_ms > s.cluster.reconnect_max_ms)
    out.push_back("cluster.reconnect_min: is longer than cluster.reconnect_max");
  return out;
}

}  // namespace seerflow::config
