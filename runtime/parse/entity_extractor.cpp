#include "runtime/parse/entity_extractor.hpp"

#include <cstring>

#include "runtime/parse/entity_canonical.hpp"
#include "runtime/parse/top_level_domain.hpp"
#include "runtime/parse/uuid5.hpp"
#include "runtime/util/hash.hpp"
#include "runtime/util/utf8.hpp"

namespace seerflow::parse {

using model::entity_type;

namespace {

enum : std::uint8_t {
  c_word = 1,  // part of a word run: letters, digits, '_', '-', '.', bytes >= 0x80
  c_alpha = 2,
  c_digit = 4,
  c_hex = 8,
  c_space = 16,
  c_path_lead = 32,  // may stand right before an absolute path
};

struct char_table {
  std::array<std::uint8_t, 256> t{};
  constexpr char_table() {
    for (int c = 0; c < 256; ++c) {
      std::uint8_t v = 0;
      const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      const bool digit = c >= '0' && c <= '9';
      if (alpha) v |= c_alpha | c_word;
      if (digit) v |= c_digit | c_word | c_hex;
      if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) v |= c_hex;
      if (c == '_' || c == '-' || c == '.' || c >= 0x80) v |= c_word;
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') v |= c_space;
      if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '`' || c == '=' || c == '(' ||
          c == '[' || c == '<' || c == ',' || c == '{')
        v |= c_path_lead;
      t[static_cast<std::size_t>(c)] = v;
    }
  }
};
constexpr char_table chars;

inline std::uint8_t cls(char c) {
  return chars.t[static_cast<unsigned char>(c)];
}
inline bool is_word(char c) {
  return cls(c) & c_word;
}
inline bool is_alpha(char c) {
  return cls(c) & c_alpha;
}
inline bool is_digit(char c) {
  return cls(c) & c_digit;
}
inline bool is_hex(char c) {
  return cls(c) & c_hex;
}
inline bool is_space(char c) {
  return cls(c) & c_space;
}
inline char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

template <std::size_t N>
bool iequals_any(std::string_view s, const std::array<std::string_view, N>& words) {
  for (auto w : words)
    if (iequals(s, w)) return true;
  return false;
}

// How a key's value is interpreted.
enum key_kind : std::uint8_t {
  k_none = 0,
  k_user,
  k_host,  // a host name, or an ip when the value is an IP literal
  k_ip,    // an IP literal (with an optional port); anything else is scanned as text
  k_domain,
  k_process,
  k_exe,      // an executable path: a file and a process (its basename)
  k_command,  // a command line: its program path, as for k_exe
  k_file,
};

struct key_entry {
  std::string_view name;  // lowercase
  key_kind kind;
};

// Sorted by name: looked up by binary search.
constexpr std::array<key_entry, 57> key_table = {{
    {"account", k_user},
    {"acct", k_user},
    {"addr", k_ip},
    {"client", k_ip},
    {"client_ip", k_ip},
    {"clientip", k_ip},
    {"comm", k_process},
    {"command", k_command},
    {"computer", k_host},
    {"computername", k_host},
    {"cwd", k_file},
    {"daddr", k_ip},
    {"dest_ip", k_ip},
    {"dhost", k_host},
    {"domain", k_domain},
    {"dst", k_ip},
    {"dst_ip", k_ip},
    {"dstip", k_ip},
    {"duser", k_user},
    {"dvchost", k_host},
    {"exe", k_exe},
    {"executable", k_exe},
    {"file", k_file},
    {"file_path", k_file},
    {"filename", k_file},
    {"filepath", k_file},
    {"fqdn", k_domain},
    {"host", k_host},
    {"hostname", k_host},
    {"image", k_exe},
    {"ip", k_ip},
    {"ip_address", k_ip},
    {"laddr", k_ip},
    {"login", k_user},
    {"logname", k_user},
    {"path", k_file},
    {"proc", k_process},
    {"process", k_process},
    {"process_name", k_process},
    {"prog", k_process},
    {"program", k_process},
    {"raddr", k_ip},
    {"remote_addr", k_ip},
    {"remote_ip", k_ip},
    {"rhost", k_host},
    {"ruser", k_user},
    {"saddr", k_ip},
    {"shost", k_host},
    {"source_ip", k_ip},
    {"src", k_ip},
    {"src_ip", k_ip},
    {"srcip", k_ip},
    {"suser", k_user},
    {"target_filename", k_file},
    {"user", k_user},
    {"user_name", k_user},
    {"username", k_user},
}};

constexpr bool key_table_sorted() {
  for (std::size_t i = 1; i < key_table.size(); ++i)
    if (!(key_table[i - 1].name < key_table[i].name)) return false;
  return true;
}
static_assert(key_table_sorted());

key_kind lookup_key(std::string_view lower_name) {
  std::size_t lo = 0, hi = key_table.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (key_table[mid].name < lower_name)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < key_table.size() && key_table[lo].name == lower_name ? key_table[lo].kind : k_none;
}

key_kind classify_key(std::string_view key) {
  if (key.empty() || key.size() > 48) return k_none;
  char buf[48];
  for (std::size_t i = 0; i < key.size(); ++i) buf[i] = to_lower(key[i]);
  const std::string_view k(buf, key.size());
  const std::size_t dot = k.rfind('.');
  if (dot == std::string_view::npos) return lookup_key(k);
  const std::string_view last = k.substr(dot + 1);
  const std::size_t pdot = dot == 0 ? std::string_view::npos : k.rfind('.', dot - 1);
  const std::string_view parent =
      pdot == std::string_view::npos ? k.substr(0, dot) : k.substr(pdot + 1, dot - pdot - 1);
  // ECS-style "<object>.<attribute>" keys ("user.name", "source.ip", "process.executable").
  if (last == "name") {
    if (parent == "user") return k_user;
    if (parent == "host") return k_host;
    if (parent == "process") return k_process;
    return k_none;
  }
  if (last == "address") return k_ip;
  if (last == "executable") return parent == "process" ? k_exe : k_none;
  if (last == "path") {
    if (parent == "process") return k_exe;
    return parent == "file" ? k_file : k_none;  // "java.class.path" is a list
  }
  return lookup_key(last);
}

// An IP literal with an optional port ("1.2.3.4:22", "[2001:db8::1]:443").
bool ip_from_value(std::string_view v, std::string& out) {
  if (canonical_ip(v, out)) return true;
  if (!v.empty() && v.front() == '[') {
    const std::size_t close = v.find(']');
    return close != std::string_view::npos && canonical_ip(v.substr(1, close - 1), out);
  }
  const std::size_t colon = v.find(':');
  if (colon == std::string_view::npos || v.find(':', colon + 1) != std::string_view::npos)
    return false;
  for (std::size_t i = colon + 1; i < v.size(); ++i)
    if (!is_digit(v[i])) return false;
  return canonical_ip(v.substr(0, colon), out);
}

bool is_unspecified(std::string_view canonical_ip_value) {
  return canonical_ip_value == "0.0.0.0" || canonical_ip_value == "::";
}

std::string_view trim_trailing(std::string_view s, std::string_view chars_to_trim) {
  auto in_set = [&](char c) {
    for (char t : chars_to_trim)
      if (t == c) return true;
    return false;
  };
  while (!s.empty() && in_set(s.back())) s.remove_suffix(1);
  return s;
}

// auditd writes a value in hex when it contains a space, a quote or a control character.
bool decode_audit_hex(std::string_view v, std::string& out) {
  if (v.size() < 2 || v.size() % 2 != 0 || v.size() > 8192) return false;
  out.clear();
  for (std::size_t i = 0; i < v.size(); i += 2) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nib(v[i]), lo = nib(v[i + 1]);
    if (hi < 0 || lo < 0) return false;
    const auto b = static_cast<unsigned char>(hi << 4 | lo);
    if (b < 0x20 || b == 0x7f) return false;
    out.push_back(static_cast<char>(b));
  }
  return util::is_valid_utf8(out);
}

// The auditd fields that may carry such hex: only there is "acct=726F6F74" read as "root".
bool is_audit_hex_key(std::string_view key) {
  return key == "acct" || key == "exe" || key == "comm" || key == "cwd";
}

// First labels of dotted names that are Java/Kotlin/Android package or class names
// (reverse-DNS naming) or kernel/sysctl keys, never the first label of a host name.
constexpr std::array<std::string_view, 14> package_roots = {
    "com",     "org",      "net",    "java",  "javax", "jdk", "sun",
    "android", "androidx", "kotlin", "scala", "akka",  "io",  "edu"};

// Names that end in a TLD but are technology names far more often than hosts.
constexpr std::array<std::string_view, 3> not_domains = {"asp.net", "vb.net", "ado.net"};

constexpr std::array<std::string_view, 12> short_root_dirs = {
    "bin", "dev", "etc", "lib", "mnt", "opt", "run", "srv", "sys", "tmp", "usr", "var"};

constexpr std::array<std::string_view, 10> http_methods = {
    "GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PROPFIND"};

}  // namespace

// One pass over one message. Every handler consumes the whole span it looked at and returns
// the position after it, so each byte is examined a bounded number of times (linear time on
// hostile input: 10k dots, megabyte tokens, unterminated quotes).
class entity_message_scanner {
 public:
  entity_message_scanner(entity_extractor& x, std::string_view msg)
      : x_(x), m_(msg), n_(msg.size()) {}

  void run() {
    std::size_t i = sudo_prefix();
    while (i < n_ && !x_.full_) {
      const char c = m_[i];
      if (is_word(c)) {
        i = word(i);
        continue;
      }
      switch (c) {
        case '/':
          i = path_lead(i) ? unix_path(i) : i + 1;
          break;
        case '\\':
          i = (i + 1 < n_ && m_[i + 1] == '\\' && path_lead(i)) ? windows_path(i) : i + 1;
          break;
        case ':':
          if (i + 1 < n_ && m_[i + 1] == ':' && v6_lead(i)) {
            const std::size_t e = ipv6(i);
            i = e ? e : i + 2;
          } else {
            ++i;
          }
          break;
        case '(':
          i = su_to(i);
          break;
        case '@':
          if (i > 0 && is_word(m_[i - 1])) at_word_ = i + 1;
          ++i;
          break;
        default:
          ++i;
      }
    }
  }

 private:
  char at(std::size_t i) const { return i < n_ ? m_[i] : '\0'; }

  bool path_lead(std::size_t i) const { return i == 0 || (cls(m_[i - 1]) & c_path_lead); }
  bool v6_lead(std::size_t i) const {
    if (i == 0) return true;
    const char p = m_[i - 1];
    return !is_word(p) && p != ':';
  }

  // Position of the next `q` at or after `from`, npos when none. Remembers the answer so a
  // message full of unmatched quotes is still scanned in linear time.
  std::size_t find_quote(char q, std::size_t from) {
    quote_cache& c = q == '"' ? dq_ : sq_;
    // The answer of an earlier search from `c.from` <= `from` still holds when it lies at or
    // after `from` (or was "none").
    if (c.valid && c.from <= from && (c.pos == std::string_view::npos || c.pos >= from))
      return c.pos;
    if (from >= n_) return std::string_view::npos;
    const void* p = std::memchr(m_.data() + from, q, n_ - from);
    c = {true, from,
         p ? static_cast<std::size_t>(static_cast<const char*>(p) - m_.data())
           : std::string_view::npos};
    return c.pos;
  }

  // The whitespace-delimited token starting at the first non-space at or after `from`.
  std::string_view next_token(std::size_t from, std::size_t& end) const {
    std::size_t b = from;
    while (b < n_ && is_space(m_[b])) ++b;
    std::size_t e = b;
    while (e < n_ && !is_space(m_[e]) && e - b < 512) ++e;
    end = e;
    return m_.substr(b, e - b);
  }

  // The whitespace-delimited token ending before `pos` (looking back at most 64 bytes).
  std::string_view prev_token(std::size_t pos, std::size_t& begin) const {
    std::size_t e = pos;
    while (e > 0 && is_space(m_[e - 1]) && pos - e < 64) --e;
    std::size_t b = e;
    while (b > 0 && !is_space(m_[b - 1]) && e - b < 64) --b;
    begin = b;
    return m_.substr(b, e - b);
  }

  // sudo: "alice : TTY=pts/0 ; PWD=/home ; USER=root ; COMMAND=/bin/ls".
  std::size_t sudo_prefix() {
    std::size_t b = 0;
    while (b < n_ && is_space(m_[b])) ++b;
    std::size_t e = b;
    while (e < n_ && !is_space(m_[e]) && e - b < 257) ++e;
    if (e == b || e + 3 > n_ || m_[e] != ' ' || m_[e + 1] != ':' || m_[e + 2] != ' ') return 0;
    const std::string_view rest = m_.substr(e + 3);
    static constexpr std::array<std::string_view, 5> marks = {
        "TTY=", "COMMAND=", "incorrect password", "user NOT in sudoers", "command not allowed"};
    bool sudo = false;
    for (auto mk : marks) sudo = sudo || rest.find(mk) != std::string_view::npos;
    if (!sudo) return 0;
    x_.emit_raw(entity_type::user, m_.substr(b, e - b));
    return e + 3;
  }

  // A word run starting at i (the byte before it is not a word byte).
  std::size_t word(std::size_t i) {
    std::size_t j = i;
    unsigned dots = 0;
    bool dash_digit = false;  // a '-' followed by a digit: a quad may start there
    for (; j < n_; ++j) {
      const char c = m_[j];
      if (!is_word(c)) break;
      if (c == '.') {
        ++dots;
      } else if (c == '-' && j + 1 < n_ && is_digit(m_[j + 1])) {
        dash_digit = true;
      }
    }
    const std::string_view w = m_.substr(i, j - i);
    const char q = at(j);
    std::size_t next = j;

    if (q == '=' && is_alpha(w[0]) && w.back() != '.') {
      next = key_value(w, j + 1);
    } else if (q == ':' && at(j + 1) == '/' && at(j + 2) == '/' && is_scheme(w)) {
      next = url(j + 3);
    } else if (w.size() == 1 && is_alpha(w[0]) && q == ':' && at(j + 1) == '\\') {
      next = windows_path(i);
    } else if (q == '@') {
      // The local part of an e-mail address or a Java "Class@hash": neither is looked at.
    } else {
      std::size_t e = 0;
      if (q == ':' && all_hex(w) && v6_lead(i) && (e = ipv6(i)) != 0) {
        next = e;
      } else if (dots > 0) {
        const bool got_ip = dots >= 3 && (is_digit(w[0]) || dash_digit) && ipv4_in_run(i, j);
        if (!got_ip) domain(i, j);
      } else {
        next = phrase(w, i, j);
      }
    }
    prev_word_ = w;
    return next;
  }

  static bool all_hex(std::string_view w) {
    for (char c : w)
      if (!is_hex(c)) return false;
    return w.size() <= 4;
  }

  static bool is_scheme(std::string_view w) {
    if (w.size() > 32 || !is_alpha(w[0])) return false;
    for (char c : w)
      if (c == '_') return false;
    return true;
  }

  // --- addresses ---------------------------------------------------------------------------

  // Dotted quads starting at the run's start or right after a '-' inside it, each ending at
  // the end of the run or at a '-' ("BP-1347369012-10.190.173.170-1444972147527"). A quad
  // followed by more dotted labels is part of a host name or a longer number: not an ip.
  bool ipv4_in_run(std::size_t i, std::size_t j) {
    bool any = false;
    for (std::size_t k = i; k < j; ++k) {
      if (!(k == i || m_[k - 1] == '-') || !is_digit(m_[k])) continue;
      std::size_t e = k;
      int dots = 0;
      while (e < j && (is_digit(m_[e]) || m_[e] == '.')) dots += m_[e++] == '.';
      if (dots != 3 || (e < j && m_[e] != '-')) continue;
      if (k == i && (iequals(prev_word_, "version") || iequals(prev_word_, "ver"))) continue;
      if (!canonical_ip(m_.substr(k, e - k), x_.scratch_) || is_unspecified(x_.scratch_)) continue;
      x_.emit(entity_type::ip, x_.scratch_);
      any = true;
      k = e;
    }
    return any;
  }

  // An IPv6 literal starting at i; returns the position after it (and its zone), 0 if none.
  std::size_t ipv6(std::size_t i) {
    std::size_t e = i;
    int colons = 0;
    bool dbl = false, digit = false;
    while (e < n_ && e - i <= 45 && (is_hex(m_[e]) || m_[e] == ':' || m_[e] == '.')) {
      if (m_[e] == ':') {
        ++colons;
        dbl = dbl || (e > i && m_[e - 1] == ':');
      }
      digit = digit || is_digit(m_[e]);
      ++e;
    }
    if (e - i > 45 || colons < 2 || !digit || (!dbl && colons < 7)) return 0;
    if (e < n_ && is_word(m_[e]) && m_[e] != '.') return 0;
    std::string_view raw = m_.substr(i, e - i);
    raw = trim_trailing(raw, ".");
    std::size_t end = e;
    if (e < n_ && m_[e] == '%') {  // zone id: skipped with the address
      std::size_t z = e + 1;
      while (z < n_ && (is_word(m_[z]) && m_[z] != '.') && z - e < 32) ++z;
      if (z > e + 1) end = z;
    }
    if (!canonical_ip(raw, x_.scratch_)) {
      if (raw.size() < 3 || raw.back() != ':' || raw[raw.size() - 2] == ':') return 0;
      if (!canonical_ip(raw.substr(0, raw.size() - 1), x_.scratch_)) return 0;
    }
    if (!is_unspecified(x_.scratch_)) x_.emit(entity_type::ip, x_.scratch_);
    return end;
  }

  // --- names ---------------------------------------------------------------------------------

  void domain(std::size_t i, std::size_t j) {
    std::string_view w = trim_trailing(m_.substr(i, j - i), ".-");
    if (w.empty() || !is_word(w[0]) || w[0] == '.' || w[0] == '-') return;
    const char before = i > 0 ? m_[i - 1] : ' ';
    const char after = at(j);
    if (before == '/' || before == '\\' || before == '$' || after == '(' || after == '$' ||
        after == '\\')
      return;
    const std::size_t last_dot = w.rfind('.');
    if (last_dot == std::string_view::npos) return;
    const std::string_view tld = w.substr(last_dot + 1);
    const tld_class tc = classify_tld(tld);
    if (tc == tld_class::unknown) return;
    // A TLD written in mixed case ("workerEnv.Init") is an identifier.
    bool lower = true, upper = true;
    for (char c : tld) {
      lower = lower && !(c >= 'A' && c <= 'Z');
      upper = upper && !(c >= 'a' && c <= 'z');
    }
    if (!lower && !upper) return;
    const bool context = at_word_ == i || domain_context_after_for(j);
    if (!context) {
      if (tc == tld_class::ambiguous) return;
      if (iequals_any(w.substr(0, w.find('.')), package_roots)) return;
      if (iequals_any(w, not_domains)) return;
    }
    if (!canonical_domain(w, x_.scratch_) || x_.scratch_ == x_.host_) return;
    x_.emit(entity_type::domain, x_.scratch_);
  }

  // sshd: "reverse mapping checking getaddrinfo for ns.example.com [1.2.3.4] failed".
  bool domain_context_after_for(std::size_t j) const {
    return iequals(prev_word_, "for") && at(j) == ' ' && at(j + 1) == '[';
  }

  std::size_t url(std::size_t a) {
    std::size_t e = a;
    if (at(a) == '[') {
      while (e < n_ && m_[e] != ']' && !is_space(m_[e]) && e - a < 64) ++e;
      if (at(e) == ']') ++e;
    }
    while (e < n_) {
      const char c = m_[e];
      if (is_space(c) || c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c == '<' ||
          c == '>' || c == ')' || c == ']' || c == '}' || c == '`' || c == ',' || c == ';')
        break;
      ++e;
    }
    std::string_view auth = m_.substr(a, e - a);
    const std::size_t at_sign = auth.rfind('@');
    if (at_sign != std::string_view::npos) auth.remove_prefix(at_sign + 1);
    std::string_view host = auth;
    if (!host.empty() && host.front() == '[') {
      const std::size_t close = host.find(']');
      if (close != std::string_view::npos && canonical_ip(host.substr(1, close - 1), x_.scratch_) &&
          !is_unspecified(x_.scratch_))
        x_.emit(entity_type::ip, x_.scratch_);
    } else {
      const std::size_t colon = host.find(':');
      if (colon != std::string_view::npos) host = host.substr(0, colon);
      host_or_ip(host, true);
    }
    // The path, query and fragment belong to the URL: skipped.
    while (e < n_ && !is_space(m_[e]) && m_[e] != '"' && m_[e] != '\'' && m_[e] != '<' &&
           m_[e] != '>' && m_[e] != '`')
      ++e;
    return e;
  }

  // A URL's host: an ip, a domain, or (one label) a host.
  void host_or_ip(std::string_view h, bool from_url) {
    if (h.empty()) return;
    if (canonical_ip(h, x_.scratch_)) {
      if (!is_unspecified(x_.scratch_)) x_.emit(entity_type::ip, x_.scratch_);
      return;
    }
    if (from_url && canonical_domain(h, x_.scratch_)) {
      if (x_.scratch_ != x_.host_) x_.emit(entity_type::domain, x_.scratch_);
      return;
    }
    if (canonical_host(h, x_.scratch_) && x_.scratch_ != "localhost")
      x_.emit(entity_type::host, x_.scratch_);
  }

  // --- key=value -----------------------------------------------------------------------------

  std::size_t key_value(std::string_view key, std::size_t v0) {
    const key_kind kind = classify_key(key);
    if (kind == k_none) return v0;  // the value is scanned as ordinary text
    std::string_view value;
    std::size_t end;
    bool quoted = false;
    const char q = at(v0);
    if (q == '"' || q == '\'') {
      const std::size_t close = find_quote(q, v0 + 1);
      if (close != std::string_view::npos) {
        value = m_.substr(v0 + 1, close - v0 - 1);
        end = close + 1;
        quoted = true;
      } else {  // unterminated: the rest of the token, without the quote
        end = v0 + 1;
        while (end < n_ && !is_space(m_[end])) ++end;
        value = m_.substr(v0 + 1, end - v0 - 1);
      }
    } else {
      end = v0;
      while (end < n_ && !is_space(m_[end])) ++end;
      value = m_.substr(v0, end - v0);
    }
    if (kind == k_ip) {
      std::string_view v = trim_trailing(value, ",;)]}.");
      if (!ip_from_value(v, x_.scratch_)) return v0;  // not an address after all: scan it
      if (!is_unspecified(x_.scratch_)) x_.emit(entity_type::ip, x_.scratch_);
      return end;
    }
    if (!quoted && is_audit_hex_key(key) && decode_audit_hex(value, x_.scratch2_)) {
      x_.emit_keyed(kind, x_.scratch2_);
      return end;
    }
    if (!quoted && kind == k_command) {
      const std::size_t sp = value.find_first_of(" \t");
      value = value.substr(0, sp);
    }
    if (!quoted && kind != k_user) value = trim_trailing(value, ",;)]}");
    if (!quoted && kind == k_file && !value.empty() && value.front() == '/')
      value = value.substr(0, value.find(':'));  // "PATH=/a:/b" lists: the first entry
    x_.emit_keyed(kind, value);
    return end;
  }

  // --- paths -----------------------------------------------------------------------------------

  static bool path_stop(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f || c == ' ' || c == '"' || c == '\'' || c == '`' || c == ':' ||
           c == ',' || c == ';' || c == '|' || c == '<' || c == '>';
  }

  std::size_t unix_path(std::size_t i) {
    std::size_t end, stop;
    const char q = i > 0 ? m_[i - 1] : '\0';
    std::size_t close = std::string_view::npos;
    if (q == '"' || q == '\'') close = find_quote(q, i);
    if (close != std::string_view::npos) {
      stop = close;
      end = close + 1;
    } else {
      stop = i;
      while (stop < n_ && !path_stop(m_[stop])) ++stop;
      end = stop;
    }
    const std::string_view raw = trim_trailing(m_.substr(i, stop - i), ".,;:!?)]}>");
    // Java's InetAddress.toString(): "/10.1.2.3" (after "host" or alone).
    if (raw.size() > 7 && is_digit(raw[1]) && canonical_ip(raw.substr(1), x_.scratch_)) {
      if (!is_unspecified(x_.scratch_)) x_.emit(entity_type::ip, x_.scratch_);
      return end;
    }
    if (raw.size() < 2) return end;
    bool letter = false;
    for (char c : raw) letter = letter || is_alpha(c);
    if (!letter) return end;
    // "/c", "/im", "/S": command-line switches ("cmd.exe /c dir"), unless a root directory.
    if (raw.size() <= 4 && raw.find('/', 1) == std::string_view::npos &&
        !iequals_any(raw.substr(1), short_root_dirs))
      return end;
    // The target of an HTTP request line is a URL path, not a file.
    if (i > 0 && m_[i - 1] == ' ') {
      std::size_t b;
      std::string_view method = prev_token(i, b);
      if (!method.empty() && method.front() == '"') method.remove_prefix(1);
      if (iequals_any(method, http_methods)) return end;
    }
    if (x_.enabled(entity_type::file) && canonical_file(raw, x_.scratch_))
      x_.emit(entity_type::file, x_.scratch_);
    return end;
  }

  // "C:\..." starting at the drive letter, or "\\server\share\..." starting at the first '\'.
  std::size_t windows_path(std::size_t i) {
    std::size_t stop, end;
    const char q = i > 0 ? m_[i - 1] : '\0';
    std::size_t close = std::string_view::npos;
    if (q == '"' || q == '\'') close = find_quote(q, i);
    if (close != std::string_view::npos) {
      stop = close;
      end = close + 1;
    } else {
      stop = i + 2;  // past "C:" or "\\"
      while (stop < n_ && !path_stop(m_[stop])) ++stop;
      end = stop;
    }
    const std::string_view raw = trim_trailing(m_.substr(i, stop - i), ".,;:!?)]}>");
    if (canonical_file(raw, x_.scratch_)) x_.emit(entity_type::file, x_.scratch_);
    return end;
  }

  // --- users in phrases --------------------------------------------------------------------------

  // su: "(to root) alice on pts/0".
  std::size_t su_to(std::size_t i) {
    if (m_.substr(i, 4) != "(to ") return i + 1;
    std::size_t e = i + 4;
    while (e < n_ && m_[e] != ')' && !is_space(m_[e]) && e - i < 260) ++e;
    if (at(e) != ')' || at(e + 1) != ' ') return i + 1;
    const std::string_view target = m_.substr(i + 4, e - i - 4);
    std::size_t who_end;
    const std::string_view who = next_token(e + 2, who_end);
    std::size_t on_end;
    if (!iequals(next_token(who_end, on_end), "on")) return i + 1;
    x_.emit_raw(entity_type::user, target);
    x_.emit_raw(entity_type::user, who);
    return who_end;
  }

  // Keyword-triggered phrases (users, "on host X"); returns where scanning resumes (>= j).
  std::size_t phrase(std::string_view w, std::size_t i, std::size_t j) {
    if (w.size() < 2 || w.size() > 5) return j;
    switch (to_lower(w[0])) {
      case 'u':
        if (iequals(w, "user")) return user_word(j);
        break;
      case 'f':
        if (iequals(w, "for")) return for_word(w, i, j);
        break;
      case 'b':
        if (iequals(w, "by")) return by_word(j);
        break;
      case 's':
        if (iequals(w, "su")) return su_for(j);
        break;
      case 'l':
        if (w == "LOGIN") return login_word(j);
        break;
      case 'h':
        if (iequals(w, "host") && iequals(prev_word_, "on")) {  // Spark: "on host mesos-slave-07"
          std::size_t e;
          host_or_ip(trim_trailing(next_token(j, e), ".,;:)]"), false);
          return e;
        }
        break;
      default:
        break;
    }
    return j;
  }

  // "for [invalid|illegal] user X", "Invalid user X from", "of user X", "from user X".
  std::size_t user_word(std::size_t j) {
    static constexpr std::array<std::string_view, 7> before = {
        "for", "invalid", "illegal", "of", "authenticating", "from", "by"};
    std::size_t name_end;
    const std::string_view name = next_token(j, name_end);
    if (name.empty()) return j;
    bool ok = iequals_any(prev_word_, before);
    if (!ok) {
      std::size_t e;
      const std::string_view after = next_token(name_end, e);
      ok = iequals(after, "from") || iequals(after, "not");
    }
    if (!ok) return j;
    x_.emit_raw(entity_type::user, name);
    return name_end;
  }

  // "Accepted password for X from", "Failed publickey for invalid user X from",
  // "authentication failures for X", "attempts exceeded for X", login's "FOR X,".
  std::size_t for_word(std::string_view w, std::size_t i, std::size_t j) {
    bool ok = iequals(prev_word_, "failures") || iequals(prev_word_, "exceeded") ||
              (w == "FOR" && saw_login_);
    if (!ok) {
      std::size_t b1, b2;
      prev_token(i, b1);  // the method ("password", "keyboard-interactive/pam")
      std::string_view verb = prev_token(b1, b2);
      if (!verb.empty() && verb.front() == '[') verb.remove_prefix(1);
      ok = iequals(verb, "Accepted") || iequals(verb, "Failed") || iequals(verb, "Postponed");
    }
    if (!ok) return j;
    std::size_t name_end;
    const std::string_view name = next_token(j, name_end);
    if (iequals(name, "invalid") || iequals(name, "illegal") || iequals(name, "user")) return j;
    x_.emit_raw(entity_type::user, name);
    return name_end;
  }

  // "session opened for user root by alice(uid=1000)"; "by LOGIN(uid=0)" and "by (uid=0)"
  // name no account.
  std::size_t by_word(std::size_t j) {
    std::size_t e;
    const std::string_view tok = next_token(j, e);
    const std::size_t p = tok.find("(uid=");
    if (p == std::string_view::npos || p == 0) return j;
    const std::string_view name = tok.substr(0, p);
    if (name == "LOGIN") return e;
    x_.emit_raw(entity_type::user, name);
    return e;
  }

  // su: "Successful su for root by alice", "FAILED su for root by alice".
  std::size_t su_for(std::size_t j) {
    std::size_t e1, e2, e3, e4;
    if (!iequals(next_token(j, e1), "for")) return j;
    const std::string_view target = next_token(e1, e2);
    if (!iequals(next_token(e2, e3), "by")) return j;
    const std::string_view who = next_token(e3, e4);
    x_.emit_raw(entity_type::user, target);
    x_.emit_raw(entity_type::user, who);
    return e4;
  }

  // login(1): "ROOT LOGIN ON tty2", "LOGIN ON tty1 BY alice", "FAILED LOGIN 1 FROM x FOR y,".
  std::size_t login_word(std::size_t j) {
    saw_login_ = true;
    if (prev_word_ == "ROOT") x_.emit(entity_type::user, "root");
    std::size_t e1, e2, e3, e4;
    if (next_token(j, e1) != "ON") return j;
    next_token(e1, e2);
    if (next_token(e2, e3) != "BY") return j;
    x_.emit_raw(entity_type::user, next_token(e3, e4));
    return e4;
  }

  struct quote_cache {
    bool valid = false;
    std::size_t from = 0, pos = 0;
  };

  entity_extractor& x_;
  std::string_view m_;
  std::size_t n_;
  std::string_view prev_word_;
  std::size_t at_word_ = static_cast<std::size_t>(-1);  // start of the word after an '@'
  quote_cache dq_, sq_;
  bool saw_login_ = false;
};

// 32k slots (~1.5 MB): a busy source sees tens of thousands of distinct addresses and files,
// and a miss costs a SHA-1 (~130 ns): on generated traffic with 200k entities this took
// extraction from 1.6 to 1.1 µs per event (bench/pipeline/stages.cpp).
entity_extractor::entity_extractor(entity_options o) : options_(o), cache_(32768) {}

const model::uuid& entity_extractor::id_for(entity_type type, std::string_view value) {
  const auto t = static_cast<std::uint8_t>(type);
  const std::uint64_t h = util::mix64(util::fnv1a64(value) ^ t);
  cache_slot& s = cache_[h & (cache_.size() - 1)];
  if (s.type != t || s.value != value) {
    s.type = t;
    s.value.assign(value);
    s.id = uuid5(entity_namespace(type), value);
  }
  return s.id;
}

void entity_extractor::emit(entity_type type, std::string_view v) {
  if (full_ || !enabled(type) || v.empty()) return;
  for (std::size_t k = base_; k < out_->size(); ++k) {
    const auto& e = (*out_)[k];
    if (e.type == type && e.value == v) return;
  }
  if (out_->size() - base_ >= options_.max_per_event) {
    full_ = true;
    ++stats_.truncated_events;
    return;
  }
  out_->push_back(model::entity_ref{type, std::string(v), id_for(type, v)});
  ++stats_.entities;
}

bool entity_extractor::emit_raw(entity_type type, std::string_view raw) {
  if (!enabled(type) || !canonical(type, raw, scratch_)) return false;
  emit(type, scratch_);
  return true;
}

void entity_extractor::emit_keyed(std::uint8_t kind, std::string_view value) {
  switch (kind) {
    case k_user:
      emit_raw(entity_type::user, value);
      break;
    case k_host: {
      std::string_view v = value;
      if (!v.empty() && v.back() == '.') v.remove_suffix(1);
      if (ip_from_value(v, scratch_)) {
        if (!is_unspecified(scratch_)) emit(entity_type::ip, scratch_);
      } else if (canonical_host(v, scratch_) && scratch_ != "localhost") {
        emit(entity_type::host, scratch_);
      }
      break;
    }
    case k_ip:
      if (ip_from_value(value, scratch_) && !is_unspecified(scratch_))
        emit(entity_type::ip, scratch_);
      break;
    case k_domain:
      if (canonical_domain(value, scratch_) && scratch_ != host_)
        emit(entity_type::domain, scratch_);
      break;
    case k_process:
      emit_raw(entity_type::process, value);
      break;
    case k_exe:
    case k_command: {
      std::string_view v = value;
      if (kind == k_command) v = v.substr(0, v.find_first_of(" \t"));
      if (v.empty()) break;
      const bool absolute = v.front() == '/' || v.find(":\\") == 1 || v.substr(0, 2) == "\\\\";
      if (absolute) emit_raw(entity_type::file, v);
      if (kind == k_exe || absolute) emit_raw(entity_type::process, v);
      break;
    }
    case k_file:
      emit_raw(entity_type::file, value);
      break;
    default:
      break;
  }
}

void entity_extractor::extract(const model::event& ev, std::vector<model::entity_ref>& out) {
  ++stats_.events;
  out_ = &out;
  base_ = out.size();
  full_ = false;
  host_.clear();

  if (!ev.host.empty()) {
    if (canonical_ip(ev.host, scratch_)) {
      if (!is_unspecified(scratch_)) emit(entity_type::ip, scratch_);
    } else if (canonical_host(ev.host, scratch_)) {
      host_ = scratch_;
      emit(entity_type::host, host_);
    }
  }
  if (!ev.app.empty()) emit_raw(entity_type::process, ev.app);

  for (const auto& f : ev.fields) {
    if (full_) break;
    const key_kind kind = classify_key(f.key);
    if (kind != k_none) emit_keyed(kind, f.value);
  }

  if (!full_ && !ev.message.empty()) entity_message_scanner(*this, ev.message).run();
  out_ = nullptr;
}

}  // namespace seerflow::parse
