#pragma once
// The peer of a record as the pipeline sees it: "10.0.0.7:51514", "[2001:db8::1]:514".
// IPv4-mapped IPv6 peers (a dual-stack socket) are shown as plain IPv4.
#include <cstddef>
#include <string>

struct sockaddr;

namespace seerflow::net {

// Formats a socket address; "unknown" for families other than IPv4/IPv6.
std::string format_peer(const sockaddr* addr, std::size_t len);

}  // namespace seerflow::net
