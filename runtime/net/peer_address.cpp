#include "runtime/net/peer_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace seerflow::net {

std::string format_peer(const sockaddr* addr, std::size_t len) {
  char text[INET6_ADDRSTRLEN + 16];
  if (addr && addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in v4;
    std::memcpy(&v4, addr, sizeof v4);
    if (!::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text)) return "unknown";
    return std::string(text) + ':' + std::to_string(ntohs(v4.sin_port));
  }
  if (addr && addr->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    sockaddr_in6 v6;
    std::memcpy(&v6, addr, sizeof v6);
    const auto port = std::to_string(ntohs(v6.sin6_port));
    if (IN6_IS_ADDR_V4MAPPED(&v6.sin6_addr)) {
      in_addr v4;
      std::memcpy(&v4, v6.sin6_addr.s6_addr + 12, sizeof v4);
      if (!::inet_ntop(AF_INET, &v4, text, sizeof text)) return "unknown";
      return std::string(text) + ':' + port;
    }
    if (!::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text)) return "unknown";
    return '[' + std::string(text) + "]:" + port;
  }
  return "unknown";
}

}  // namespace seerflow::net
