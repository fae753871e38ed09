#pragma once
// Variable masking for the template miner: finds the parts of a log token that are values
// (addresses, ids, numbers, paths, times...) so that messages differing only in values share a
// template. Each built-in mask is a *kind* of variable, recognised by a hand-written scanner;
// custom masks are RE2 patterns run over the whole message.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace seerflow::parse {

enum class mask_kind : std::uint8_t {
  ipv4,        // 10.0.0.1, 10.0.0.1:8080, /10.0.0.1:8080, host/10.0.0.1:8080
  ipv6,        // fe80::1, 2001:db8::2:1, [::1]:443
  mac,         // 00:1a:2b:3c:4d:5e, 00-1A-2B-3C-4D-5E
  uuid,        // 123e4567-e89b-12d3-a456-426614174000
  hex,         // 0x7f3a, deadbeef01 (6+ hex digits with at least one decimal digit)
  number,      // 42, -7, 3.14, 1e-9, 1.2.3 (versions), 2015-10-18
  url,         // scheme://anything
  email,       // user@example.com
  domain,      // host.example.com (last label a known top-level domain)
  path,        // /var/log/x.log, C:\Windows\x.dll, \\server\share
  datetime,    // 12:34:56, 12:34:56.789, 2015-10-18T12:00:00Z, "Fri Jun 17 07:07:00 2005"
  duration,    // 100ms, 2.5s, 3m
  size,        // 16KB, 1.5GiB, 512M
  key_value,   // key=value where the value carries a digit, or is quoted
  identifier,  // ids with a numeric part: job_2015_0001, blk_-123, node-12:80 (host:port)
  boolean,     // true, false, null (any case)
  account,     // well-known account names: root, admin (the Loghub guidelines' user strings)
  regex,       // a custom RE2 pattern (mask::pattern), matched over the whole message
};

struct mask {
  mask_kind kind = mask_kind::number;
  std::string pattern;  // RE2 syntax; only for mask_kind::regex
};

// The generic default set: every built-in kind.
std::vector<mask> default_masks();

// Name of a kind ("ipv4", "key_value"...), and the reverse (nullopt-like: false when unknown).
std::string_view mask_kind_name(mask_kind k);
bool mask_kind_from_name(std::string_view name, mask_kind& out);

}  // namespace seerflow::parse
