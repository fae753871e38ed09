#pragma once
// Canonical forms of entity values: one spelling per real thing, so that "010.1.1.1" never
// exists, "2001:DB8:0:0::1" and "2001:db8::1" are one address and "/etc//./passwd" is
// "/etc/passwd". Each function returns false (and leaves `out` unspecified) when `in` is not
// a valid value of its type; `out` is overwritten, never appended to.
#include <string>
#include <string_view>

#include "runtime/model/entity.hpp"

namespace seerflow::parse {

// IPv4: a dotted quad, each octet 0-255 in decimal. Octets with a leading zero ("010") are
// rejected rather than guessed: inet_aton() reads them as octal, most other code as decimal.
// IPv6 (RFC 4291 text forms, optionally in brackets): written per RFC 5952 (lowercase, no
// leading zeros, the longest run of two or more zero groups, first on a tie, as "::").
// An IPv4-mapped address (::ffff:a.b.c.d) becomes the IPv4 address; a zone ("%eth0") is
// dropped, since it names an interface of the logging machine, not part of the address.
bool canonical_ip(std::string_view in, std::string& out);

// RFC 1123 host name: labels of 1-63 letters, digits and hyphens (no hyphen first or last),
// at most 253 characters, lowercased, one trailing dot removed. A name whose last label is
// all digits is refused, which also refuses IPv4 literals (an IP is an ip, not a host).
bool canonical_host(std::string_view in, std::string& out);

// A host name with at least two labels whose last label is alphabetic (a TLD; "xn--" IDN
// TLDs count). Whether the TLD exists is the extractor's concern (top_level_domain.hpp).
bool canonical_domain(std::string_view in, std::string& out);

// An account name as logged: surrounding whitespace, quotes and punctuation removed, case kept
// (Unix names are case-sensitive); "DOMAIN\user" and "user@realm" kept as written. Refused:
// empty, placeholders ("-", "?", "unknown", "(unknown)", "<unknown>", "none", "(none)",
// "null", "n/a", any case), values containing whitespace or control characters, invalid
// UTF-8, values without a letter or digit, and values over 256 bytes.
bool canonical_user(std::string_view in, std::string& out);

// An absolute path. Unix ("/..."): "//" collapsed, "." segments removed, ".." resolved
// lexically (never above the root), no trailing slash. Windows: "C:\..." (or "C:/...") with
// the drive letter lowercased, or UNC "\\server\share\..."; separators become "\", the same
// normalisation applies, never above the drive root or the share; a "\\?\" prefix is dropped.
// Refused: relative paths, control characters, invalid UTF-8, glob characters ('*'; and for
// Windows also < > " | ?), paths over 4096 bytes.
bool canonical_file(std::string_view in, std::string& out);

// A program name as logged, without pid or annotation: "sshd[123]" -> "sshd",
// "sshd(pam_unix)" -> "sshd", "/usr/sbin/sshd" -> "sshd", "C:\x\cmd.exe" -> "cmd.exe",
// "syslogd 1.4.1" -> "syslogd", "(sd-pam)" -> "sd-pam". Case kept ("CRON"). Refused: empty,
// "-", no letter, control characters, quotes, invalid UTF-8, over 256 bytes.
bool canonical_process(std::string_view in, std::string& out);

// Dispatches on `type`.
bool canonical(model::entity_type type, std::string_view in, std::string& out);

}  // namespace seerflow::parse
