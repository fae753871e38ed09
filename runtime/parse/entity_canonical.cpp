#include "runtime/parse/entity_canonical.hpp"

#include <array>
#include <cstdint>

#include "runtime/util/utf8.hpp"

namespace seerflow::parse {
namespace {

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_alnum(char c) {
  return is_digit(c) || is_alpha(c);
}
constexpr char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
constexpr bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}
constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  return true;
}

bool parse_ipv4(std::string_view s, std::array<std::uint8_t, 4>& o) {
  std::size_t p = 0;
  for (int k = 0; k < 4; ++k) {
    if (k > 0) {
      if (p >= s.size() || s[p] != '.') return false;
      ++p;
    }
    const std::size_t start = p;
    unsigned v = 0;
    while (p < s.size() && is_digit(s[p]) && p - start < 3) v = v * 10 + (s[p++] - '0');
    const std::size_t len = p - start;
    if (len == 0 || v > 255) return false;
    if (len > 1 && s[start] == '0') return false;      // octal ambiguity
    if (p < s.size() && is_digit(s[p])) return false;  // four or more digits
    o[k] = static_cast<std::uint8_t>(v);
  }
  return p == s.size();
}

void append_ipv4(const std::array<std::uint8_t, 4>& o, std::string& out) {
  for (int k = 0; k < 4; ++k) {
    if (k > 0) out.push_back('.');
    const unsigned v = o[k];
    if (v >= 100) out.push_back(static_cast<char>('0' + v / 100));
    if (v >= 10) out.push_back(static_cast<char>('0' + v / 10 % 10));
    out.push_back(static_cast<char>('0' + v % 10));
  }
}

// Parses the groups of one side of "::" (or the whole address when there is none). An IPv4
// tail is allowed only at the very end of the address.
bool parse_ipv6_groups(std::string_view part, std::uint16_t* g, int& count, bool allow_v4) {
  count = 0;
  if (part.empty()) return true;
  std::size_t p = 0;
  while (true) {
    const std::size_t e = part.find(':', p);
    const std::string_view grp =
        part.substr(p, e == std::string_view::npos ? part.size() - p : e - p);
    if (e == std::string_view::npos && allow_v4 && grp.find('.') != std::string_view::npos) {
      std::array<std::uint8_t, 4> o;
      if (!parse_ipv4(grp, o) || count + 2 > 8) return false;
      g[count++] = static_cast<std::uint16_t>(o[0] << 8 | o[1]);
      g[count++] = static_cast<std::uint16_t>(o[2] << 8 | o[3]);
      return true;
    }
    if (grp.empty() || grp.size() > 4 || count >= 8) return false;
    unsigned v = 0;
    for (char c : grp) {
      const int h = hex_value(c);
      if (h < 0) return false;
      v = v << 4 | static_cast<unsigned>(h);
    }
    g[count++] = static_cast<std::uint16_t>(v);
    if (e == std::string_view::npos) return true;
    p = e + 1;
  }
}

bool parse_ipv6(std::string_view s, std::array<std::uint16_t, 8>& g) {
  if (s.size() < 2 || s.size() > 45) return false;
  g.fill(0);
  const std::size_t dc = s.find("::");
  if (dc == std::string_view::npos) {
    int n = 0;
    return parse_ipv6_groups(s, g.data(), n, true) && n == 8;
  }
  if (s.find("::", dc + 1) != std::string_view::npos) return false;
  std::uint16_t left[8], right[8];
  int nl = 0, nr = 0;
  if (!parse_ipv6_groups(s.substr(0, dc), left, nl, false)) return false;
  if (!parse_ipv6_groups(s.substr(dc + 2), right, nr, true)) return false;
  if (nl + nr > 7) return false;  // "::" stands for at least one zero group
  for (int i = 0; i < nl; ++i) g[i] = left[i];
  for (int i = 0; i < nr; ++i) g[8 - nr + i] = right[i];
  return true;
}

void append_ipv6(const std::array<std::uint16_t, 8>& g, std::string& out) {
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best = -1;  // RFC 5952 4.2.2: a single zero group is not compressed
  static constexpr char digits[] = "0123456789abcdef";
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (i > 0 && i != best + best_len) out.push_back(':');
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      const unsigned d = (g[i] >> shift) & 0xF;
      if (d != 0 || started || shift == 0) {
        out.push_back(digits[d]);
        started = true;
      }
    }
  }
}

bool valid_label(std::string_view l) {
  if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
  for (char c : l)
    if (!is_alnum(c) && c != '-') return false;
  return true;
}

// Validates a host name and writes it lowercased; `labels` receives the label count and
// `last` the last label (pointing into `out`).
bool host_name(std::string_view in, std::string& out, int& labels, std::string_view& last) {
  if (!in.empty() && in.back() == '.') in.remove_suffix(1);
  if (in.empty() || in.size() > 253) return false;
  labels = 0;
  std::size_t p = 0;
  std::size_t last_start = 0;
  while (true) {
    const std::size_t e = in.find('.', p);
    const std::string_view l = in.substr(p, e == std::string_view::npos ? in.size() - p : e - p);
    if (!valid_label(l)) return false;
    ++labels;
    last_start = p;
    if (e == std::string_view::npos) break;
    p = e + 1;
  }
  bool all_digits = true;
  for (std::size_t i = last_start; i < in.size(); ++i) all_digits = all_digits && is_digit(in[i]);
  if (all_digits) return false;
  out.resize(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) out[i] = to_lower(in[i]);
  last = std::string_view(out).substr(last_start);
  return true;
}

bool is_placeholder(std::string_view s) {
  static constexpr std::array<std::string_view, 11> words = {
      "", "-", "?", "unknown", "(unknown)", "<unknown>", "none", "(none)", "null", "(null)", "n/a"};
  for (auto w : words)
    if (iequals(s, w)) return true;
  return false;
}

constexpr bool is_opening_punct(char c) {
  return c == '"' || c == '\'' || c == '`' || c == '(' || c == '[' || c == '{' || c == '<';
}
constexpr bool is_closing_punct(char c) {
  return c == '"' || c == '\'' || c == '`' || c == ')' || c == ']' || c == '}' || c == '>' ||
         c == ',' || c == ';' || c == ':' || c == '.' || c == '!' || c == '?';
}

// Lexical normalisation of the segments after a root. `sep` is the output separator; both
// '/' and (for Windows) '\' separate input segments. `root_len` bytes of `out` are never
// removed by "..".
void normalise_segments(std::string_view rest, bool windows, std::size_t root_len,
                        std::string& out) {
  const char sep = windows ? '\\' : '/';
  std::size_t p = 0;
  while (p <= rest.size()) {
    std::size_t e = p;
    while (e < rest.size() && rest[e] != '/' && !(windows && rest[e] == '\\')) ++e;
    const std::string_view seg = rest.substr(p, e - p);
    if (seg == "..") {
      if (out.size() > root_len) {
        std::size_t cut = out.rfind(sep);
        if (cut == std::string::npos || cut < root_len) cut = root_len;  // keep the root
        out.resize(cut);
      }
    } else if (!seg.empty() && seg != ".") {
      if (out.size() > root_len || (root_len > 0 && out[root_len - 1] != sep)) out.push_back(sep);
      out.append(seg);
    }
    p = e + 1;
  }
}

bool path_chars_ok(std::string_view s, bool windows) {
  for (char c : s) {
    if (is_control(c) || c == '*') return false;
    if (windows && (c == '<' || c == '>' || c == '"' || c == '|' || c == '?')) return false;
  }
  return util::is_valid_utf8(s);
}

}  // namespace

bool canonical_ip(std::string_view in, std::string& out) {
  out.clear();
  if (in.size() >= 2 && in.front() == '[') {
    if (in.back() != ']') return false;
    in = in.substr(1, in.size() - 2);
  }
  if (in.find(':') == std::string_view::npos) {
    std::array<std::uint8_t, 4> o;
    if (!parse_ipv4(in, o)) return false;
    append_ipv4(o, out);
    return true;
  }
  const std::size_t zone = in.find('%');
  if (zone != std::string_view::npos) {
    if (zone + 1 == in.size()) return false;
    for (std::size_t i = zone + 1; i < in.size(); ++i)
      if (is_control(in[i]) || is_space(in[i])) return false;
    in = in.substr(0, zone);
  }
  std::array<std::uint16_t, 8> g;
  if (!parse_ipv6(in, g)) return false;
  if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
    const std::array<std::uint8_t, 4> o = {
        static_cast<std::uint8_t>(g[6] >> 8), static_cast<std::uint8_t>(g[6] & 0xff),
        static_cast<std::uint8_t>(g[7] >> 8), static_cast<std::uint8_t>(g[7] & 0xff)};
    append_ipv4(o, out);
    return true;
  }
  append_ipv6(g, out);
  return true;
}

bool canonical_host(std::string_view in, std::string& out) {
  int labels = 0;
  std::string_view last;
  return host_name(in, out, labels, last);
}

bool canonical_domain(std::string_view in, std::string& out) {
  int labels = 0;
  std::string_view last;
  if (!host_name(in, out, labels, last) || labels < 2 || last.size() < 2) return false;
  if (last.size() > 4 && last.substr(0, 4) == "xn--") return true;
  for (char c : last)
    if (!is_alpha(c)) return false;
  return true;
}

bool canonical_user(std::string_view in, std::string& out) {
  std::string_view s = trim_space(in);
  if (is_placeholder(s)) return false;
  while (!s.empty() && is_opening_punct(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_closing_punct(s.back())) s.remove_suffix(1);
  if (is_placeholder(s) || s.size() > 256) return false;
  bool has_alnum = false;
  for (char c : s) {
    if (is_control(c) || is_space(c)) return false;
    has_alnum = has_alnum || is_alnum(c) || static_cast<unsigned char>(c) >= 0x80;
  }
  if (!has_alnum || !util::is_valid_utf8(s)) return false;
  out.assign(s);
  return true;
}

bool canonical_file(std::string_view in, std::string& out) {
  out.clear();
  if (in.empty() || in.size() > 4096) return false;
  if (in.front() == '/') {
    if (!path_chars_ok(in, false)) return false;
    out.push_back('/');
    normalise_segments(in.substr(1), false, 1, out);
    return true;
  }
  if (in.size() >= 4 && in.substr(0, 4) == "\\\\?\\") in.remove_prefix(4);  // long-path prefix
  if (in.size() >= 3 && is_alpha(in[0]) && in[1] == ':' && (in[2] == '\\' || in[2] == '/')) {
    if (!path_chars_ok(in.substr(3), true) || in.substr(3).find(':') != std::string_view::npos)
      return false;
    out.push_back(to_lower(in[0]));
    out += ":\\";
    normalise_segments(in.substr(3), true, 3, out);
    return true;
  }
  if (in.size() >= 2 && in[0] == '\\' && in[1] == '\\') {
    if (!path_chars_ok(in.substr(2), true) || in.substr(2).find(':') != std::string_view::npos)
      return false;
    const std::string_view rest = in.substr(2);
    const std::size_t s1 = rest.find_first_of("\\/");
    if (s1 == 0 || s1 == std::string_view::npos) return false;
    const std::size_t s2 = rest.find_first_of("\\/", s1 + 1);
    const std::string_view server = rest.substr(0, s1);
    const std::string_view share =
        rest.substr(s1 + 1, s2 == std::string_view::npos ? std::string_view::npos : s2 - s1 - 1);
    if (share.empty()) return false;
    out += "\\\\";
    out.append(server);
    out.push_back('\\');
    out.append(share);
    const std::size_t root_len = out.size();
    if (s2 != std::string_view::npos) normalise_segments(rest.substr(s2 + 1), true, root_len, out);
    return true;
  }
  return false;
}

namespace {

// One round of unwrapping; canonical_process repeats it until nothing changes, so that its
// output is a fixed point ("((a))", "/x/a(b)").
std::string_view process_round(std::string_view s) {
  s = trim_space(s);
  if (!s.empty() && s.back() == ']') {  // "sshd[123]"
    const std::size_t b = s.rfind('[');
    if (b != std::string_view::npos && b > 0) s = trim_space(s.substr(0, b));
  }
  if (s.size() >= 2 && s.front() == '(' && s.back() == ')') {
    s = s.substr(1, s.size() - 2);             // "(sd-pam)": the kernel's name for a helper process
  } else if (!s.empty() && s.back() == ')') {  // "sshd(pam_unix)"
    const std::size_t b = s.find('(');
    if (b != std::string_view::npos && b > 0) s = s.substr(0, b);
  }
  if (!s.empty() && s.front() == '/') {
    s = s.substr(0, s.find_first_of(" \t"));
    s = s.substr(s.rfind('/') + 1);
  } else if (s.size() >= 3 && is_alpha(s[0]) && s[1] == ':' && s[2] == '\\') {
    s = s.substr(s.rfind('\\') + 1);
  } else {
    s = s.substr(0, s.find_first_of(" \t"));  // "syslogd 1.4.1"
  }
  while (!s.empty() && s.back() == ':') s.remove_suffix(1);
  return s;
}

}  // namespace

bool canonical_process(std::string_view in, std::string& out) {
  if (in.size() > 1024) return false;
  std::string_view s = in;
  for (std::string_view next = process_round(s); next != s; next = process_round(s)) s = next;
  if (s.empty() || s.size() > 256 || s == "-") return false;
  bool has_alpha = false;
  for (char c : s) {
    if (is_control(c) || is_space(c) || c == '"' || c == '\'' || c == '=' || c == '\\' ||
        c == ';' || c == ',')
      return false;
    has_alpha = has_alpha || is_alpha(c);
  }
  if (!has_alpha || !util::is_valid_utf8(s)) return false;
  out.assign(s);
  return true;
}

bool canonical(model::entity_type type, std::string_view in, std::string& out) {
  switch (type) {
    case model::entity_type::ip:
      return canonical_ip(in, out);
    case model::entity_type::user:
      return canonical_user(in, out);
    case model::entity_type::host:
      return canonical_host(in, out);
    case model::entity_type::file:
      return canonical_file(in, out);
    case model::entity_type::domain:
      return canonical_domain(in, out);
    case model::entity_type::process:
      return canonical_process(in, out);
  }
  return false;
}

}  // namespace seerflow::parse
