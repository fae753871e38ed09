#include "runtime/parse/rule_fields.hpp"

#include <cctype>

#include "runtime/parse/syslog_names.hpp"

namespace seerflow::parse {
namespace {

constexpr char group_separator = '\x1d';  // auditd's ENRICHED format separates with it

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == group_separator;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper_hex(char c) {
  return is_digit(c) || (c >= 'A' && c <= 'F');
}
bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}
bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

// The word that starts at `pos` (up to whitespace); empty at the end.
std::string_view word_at(std::string_view s, std::size_t pos) {
  if (pos >= s.size()) return {};
  std::size_t e = pos;
  while (e < s.size() && !is_space(s[e])) ++e;
  return s.substr(pos, e - pos);
}

// The word after the first occurrence of `marker`, if any.
std::string_view word_after(std::string_view s, std::string_view marker) {
  const auto p = s.find(marker);
  if (p == std::string_view::npos) return {};
  return word_at(s, p + marker.size());
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A plausible IPv4 or IPv6 literal; these fields name addresses, so a host name is not taken.
bool looks_like_ip(std::string_view s) {
  if (s.empty() || s.size() > 45) return false;
  if (s.find(':') == std::string_view::npos) {
    int groups = 0;
    std::size_t i = 0;
    while (i <= s.size()) {
      std::size_t e = i;
      int v = 0;
      while (e < s.size() && is_digit(s[e]) && e - i < 3) v = v * 10 + (s[e++] - '0');
      if (e == i || v > 255) return false;
      ++groups;
      if (e == s.size()) break;
      if (s[e] != '.') return false;
      i = e + 1;
    }
    return groups == 4;
  }
  int colons = 0;
  for (char c : s) {
    const bool hex = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (c == ':')
      ++colons;
    else if (!hex && c != '.')
      return false;
  }
  return colons >= 2;
}

// Strips what sshd and others wrap around an address: "[1.2.3.4]", "1.2.3.4:", "1.2.3.4,".
std::string_view strip_address(std::string_view t) {
  while (!t.empty() && (t.back() == ':' || t.back() == ',' || t.back() == ';' || t.back() == ']' ||
                        t.back() == ')'))
    t.remove_suffix(1);
  while (!t.empty() && (t.front() == '[' || t.front() == '(')) t.remove_prefix(1);
  return t;
}

// Untrusted strings in audit records are quoted, or hex-encoded when they hold a space,
// a quote or a control character. These keys carry such strings (EXECVE's aN as well).
bool audit_untrusted_key(std::string_view key) {
  for (std::string_view k : {"proctitle", "name", "cwd", "exe", "comm", "acct", "cmd", "data",
                             "path", "old-path", "new-path"})
    if (key == k) return true;
  return false;
}
bool is_execve_arg(std::string_view key) {
  return key.size() >= 2 && key[0] == 'a' && all_digits(key.substr(1));
}
bool is_audit_hex(std::string_view v) {
  if (v.size() < 2 || v.size() % 2 != 0) return false;
  for (char c : v)
    if (!is_upper_hex(c)) return false;
  return true;
}
int hex_value(char c) {
  return is_digit(c) ? c - '0' : c - 'A' + 10;
}

}  // namespace

std::optional<std::string_view> rule_fields::get(std::string_view name) const {
  for (const auto& f : fields_)
    if (f.name == name) return f.value;
  return std::nullopt;
}

void rule_fields::add(std::string_view name, std::string_view value) {
  fields_.push_back({name, value});
}

std::string& rule_fields::scratch() {
  if (scratch_used_ == scratch_.size()) scratch_.emplace_back();
  auto& s = scratch_[scratch_used_++];
  s.clear();
  return s;
}

void rule_fields::fill(const model::event& ev) {
  fields_.clear();
  scratch_used_ = 0;
  message_fields_ = 0;
  if (!ev.message.empty()) add("message", ev.message);
  if (!ev.host.empty()) add("host", ev.host);
  if (!ev.app.empty()) add("program", ev.app);
  if (!ev.procid.empty()) add("pid", ev.procid);
  if (!ev.msgid.empty()) add("msgid", ev.msgid);
  if (const auto f = facility_name(ev.facility); !f.empty()) add("facility", f);
  if (const auto s = severity_name(ev.severity); !s.empty()) add("severity", s);
  for (const auto& f : ev.fields) add(f.key, f.value);

  const auto& ls = ev.ls;
  if (ls.service == "sshd")
    add_sshd(ev.message);
  else if (ls.service == "sudo")
    add_sudo(ev.message);
  else if (ls.service == "auditd")
    add_auditd(ev.message);
  else if (ls.category == "webserver")
    add_access_log(ev.message);
  else if (ls.category == "proxy")
    add_squid(ev.message);
  else if (ls.category == "dns")
    add_dns(ev.message);
}

void rule_fields::add_sshd(std::string_view m) {
  // "message repeated 3 times: [ Failed password for root from ...]" describes the inner line.
  if (starts_with(m, "message repeated ")) {
    const auto b = m.find("[ ");
    if (b != std::string_view::npos) m = m.substr(b + 2);
  }
  std::string_view outcome, method, user;
  if (starts_with(m, "Accepted ") || starts_with(m, "Failed ")) {
    const bool ok = m[0] == 'A';
    outcome = ok ? "success" : "failure";
    method = word_at(m, ok ? 9 : 7);
    const std::string_view rest = m.substr((ok ? 9 : 7) + method.size());
    if (starts_with(rest, " for invalid user "))
      user = word_at(rest, 18);
    else if (starts_with(rest, " for "))
      user = word_at(rest, 5);
  } else if (starts_with(m, "Invalid user ") || starts_with(m, "Illegal user ")) {
    outcome = "failure";
    user = word_at(m, 13);
  } else if (m.find("authentication failure") != std::string_view::npos ||
             m.find("maximum authentication attempts exceeded") != std::string_view::npos) {
    outcome = "failure";
  }
  if (user.empty()) {
    for (std::string_view marker : {"invalid user ", "authenticating user ", " user ", " user="}) {
      user = word_after(m, marker);
      if (!user.empty()) break;
    }
  }
  if (user == "from" || user == "port") user = {};

  // The peer: the first address-shaped word ("from 1.2.3.4", "by 1.2.3.4", "rhost=1.2.3.4",
  // "[1.2.3.4]"), and "port N" right after it.
  std::string_view ip, port;
  for (std::size_t i = 0; i < m.size();) {
    while (i < m.size() && is_space(m[i])) ++i;
    auto w = word_at(m, i);
    const std::size_t next = i + w.size();
    if (starts_with(w, "rhost=")) w.remove_prefix(6);
    const auto a = strip_address(w);
    if (looks_like_ip(a)) {
      ip = a;
      std::size_t j = next;
      while (j < m.size() && is_space(m[j])) ++j;
      if (word_at(m, j) == "port") {
        j += 4;
        while (j < m.size() && is_space(m[j])) ++j;
        auto p = word_at(m, j);
        std::size_t d = 0;
        while (d < p.size() && is_digit(p[d])) ++d;  // "38926:11:" -> "38926"
        if (d > 0) port = p.substr(0, d);
      }
      break;
    }
    if (w.empty()) break;
    i = next;
  }
  if (!user.empty()) add("user", user);
  if (!ip.empty()) add("src_ip", ip);
  // PAM's remote host as logged, an address or a resolved name (src_ip holds only addresses):
  // the only name of the peer in pam_unix's "authentication failure; ... rhost=NAME" lines.
  if (const auto rhost = word_after(m, "rhost="); !rhost.empty()) add("rhost", rhost);
  if (!port.empty()) add("src_port", port);
  if (!method.empty()) add("auth_method", method);
  if (!outcome.empty()) add("outcome", outcome);
}

void rule_fields::add_sudo(std::string_view m) {
  // "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/bash"
  const auto colon = m.find(" : ");
  if (colon == std::string_view::npos) return;
  const auto user = trim(m.substr(0, colon));
  if (user.empty() || user.find(' ') != std::string_view::npos) return;
  add("user", user);
  std::string_view rest = m.substr(colon + 3);
  while (!rest.empty() && message_fields_ < max_message_fields) {
    const auto sep = rest.find(" ; ");
    std::string_view seg = trim(rest.substr(0, sep));
    const auto eq = seg.find('=');
    bool key_ok = eq != std::string_view::npos && eq > 0;
    for (std::size_t i = 0; key_ok && i < eq; ++i)
      key_ok = (seg[i] >= 'A' && seg[i] <= 'Z') || seg[i] == '_';
    if (key_ok) {
      const auto key = seg.substr(0, eq);
      if (key == "COMMAND") {
        // The command is last and may itself contain " ; ".
        add(key, trim(rest.substr(rest.find('=') + 1)));
        ++message_fields_;
        return;
      }
      add(key, seg.substr(eq + 1));
      ++message_fields_;
    }
    if (sep == std::string_view::npos) break;
    rest = rest.substr(sep + 3);
  }
}

void rule_fields::add_auditd(std::string_view m) {
  std::string_view type;
  // Two passes at most: the record, then the key=value list quoted inside msg='...'.
  std::string_view pending = m;
  for (int depth = 0; depth < 2 && !pending.empty(); ++depth) {
    const std::string_view s = pending;
    pending = {};
    std::size_t i = 0;
    while (i < s.size() && message_fields_ < max_message_fields) {
      while (i < s.size() && is_space(s[i])) ++i;
      const std::size_t ks = i;
      while (i < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '-'))
        ++i;
      if (i == ks || i >= s.size() || s[i] != '=') {
        while (i < s.size() && !is_space(s[i])) ++i;  // not a key: skip the word
        continue;
      }
      const auto key = s.substr(ks, i - ks);
      ++i;  // '='
      std::string_view value;
      bool quoted = false;
      if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
        const char q = s[i++];
        const auto e = s.find(q, i);
        const std::size_t end = e == std::string_view::npos ? s.size() : e;
        value = s.substr(i, end - i);
        i = e == std::string_view::npos ? s.size() : e + 1;
        quoted = true;
      } else {
        const std::size_t vs = i;
        while (i < s.size() && !is_space(s[i])) ++i;
        value = s.substr(vs, i - vs);
      }
      ++message_fields_;
      if (key == "type" && type.empty()) type = value;
      if (key == "msg") {
        if (quoted && depth == 0) {
          pending = value;  // USER_AUTH and friends: msg='op=PAM:authentication acct="root" ...'
        } else if (!quoted && value.size() > 1 && value.back() == ':') {
          value.remove_suffix(1);  // "audit(1364481363.243:24287):"
        }
      }
      if (!quoted && (audit_untrusted_key(key) || (type == "EXECVE" && is_execve_arg(key))) &&
          is_audit_hex(value)) {
        auto& out = scratch();
        out.reserve(value.size() / 2);
        for (std::size_t h = 0; h < value.size(); h += 2) {
          const char c = static_cast<char>(hex_value(value[h]) * 16 + hex_value(value[h + 1]));
          out.push_back(c == '\0' ? ' ' : c);  // proctitle separates arguments with NUL
        }
        while (!out.empty() && out.back() == ' ') out.pop_back();
        value = out;
      }
      add(key, value);
    }
  }
}

void rule_fields::add_access_log(std::string_view m) {
  // [vhost] client ident user [time] "METHOD target VERSION" status bytes ["referer" "agent"]
  const auto lb = m.find(" [");
  const auto q0 = m.find('"', lb == std::string_view::npos ? 0 : lb);
  if (q0 == std::string_view::npos) return;
  {
    std::string_view head = trim(m.substr(0, lb == std::string_view::npos ? q0 : lb));
    std::vector<std::string_view> words;
    for (std::size_t i = 0; i < head.size() && words.size() < 8;) {
      while (i < head.size() && is_space(head[i])) ++i;
      const auto w = word_at(head, i);
      if (w.empty()) break;
      words.push_back(w);
      i += w.size();
    }
    if (words.size() >= 3) {
      add("c-ip", words[words.size() - 3]);
      if (words.back() != "-") add("cs-username", words.back());
    } else if (!words.empty()) {
      add("c-ip", words.front());
    }
  }
  // The closing quote of a quoted part: the next '"' not escaped with a backslash.
  const auto closing = [&](std::size_t from) {
    for (std::size_t i = from; i < m.size(); ++i) {
      if (m[i] == '\\') {
        ++i;
        continue;
      }
      if (m[i] == '"') return i;
    }
    return std::string_view::npos;
  };
  const auto q1 = closing(q0 + 1);
  if (q1 == std::string_view::npos) return;
  const auto request = m.substr(q0 + 1, q1 - q0 - 1);
  const auto sp1 = request.find(' ');
  const auto sp2 = request.rfind(' ');
  if (sp1 != std::string_view::npos && sp2 > sp1 && starts_with(request.substr(sp2 + 1), "HTTP/")) {
    const auto target = request.substr(sp1 + 1, sp2 - sp1 - 1);
    add("cs-method", request.substr(0, sp1));
    add("cs-uri", target);
    const auto qm = target.find('?');
    add("cs-uri-stem", target.substr(0, qm));
    if (qm != std::string_view::npos) add("cs-uri-query", target.substr(qm + 1));
    add("cs-version", request.substr(sp2 + 1));
  }
  std::size_t i = q1 + 1;
  while (i < m.size() && is_space(m[i])) ++i;
  const auto status = word_at(m, i);
  if (status.size() == 3 && all_digits(status)) add("sc-status", status);
  i += status.size();
  while (i < m.size() && is_space(m[i])) ++i;
  const auto bytes = word_at(m, i);
  if (all_digits(bytes) || bytes == "-") add("sc-bytes", bytes);
  i += bytes.size();
  for (std::string_view name : {"cs-referer", "cs-user-agent"}) {
    while (i < m.size() && is_space(m[i])) ++i;
    if (i >= m.size() || m[i] != '"') break;
    const auto e = closing(i + 1);
    if (e == std::string_view::npos) break;
    const auto v = m.substr(i + 1, e - i - 1);
    if (v != "-") add(name, v);
    i = e + 1;
  }
}

void rule_fields::add_squid(std::string_view m) {
  // time elapsed client code/status bytes method URL user hierarchy/peer type
  std::string_view w[10];
  std::size_t n = 0;
  for (std::size_t i = 0; i < m.size() && n < 10;) {
    while (i < m.size() && is_space(m[i])) ++i;
    w[n] = word_at(m, i);
    if (w[n].empty()) break;
    i += w[n].size();
    ++n;
  }
  if (n < 7 || w[0].find('.') == std::string_view::npos || !is_digit(w[0][0])) return;
  const auto slash = w[3].find('/');
  if (slash == std::string_view::npos) return;
  add("c-ip", w[2]);
  add("sc-status", w[3].substr(slash + 1));
  add("sc-bytes", w[4]);
  add("cs-method", w[5]);
  const auto url = w[6];
  add("c-uri", url);
  std::string_view rest = url;
  if (const auto scheme = url.find("://"); scheme != std::string_view::npos)
    rest = url.substr(scheme + 3);
  const auto path_at = rest.find_first_of("/?");
  auto host = rest.substr(0, path_at);
  if (const auto at = host.rfind('@'); at != std::string_view::npos) host = host.substr(at + 1);
  if (const auto colon = host.rfind(':');
      colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  if (!host.empty()) add("cs-host", host);
  if (path_at != std::string_view::npos) {
    auto path = rest.substr(path_at);
    const auto qm = path.find('?');
    if (qm != std::string_view::npos) {
      add("c-uri-query", path.substr(qm + 1));
      path = path.substr(0, qm);
    }
    const auto last = path.substr(path.rfind('/') + 1);
    const auto dot = last.rfind('.');
    if (dot != std::string_view::npos && dot + 1 < last.size())
      add("c-uri-extension", last.substr(dot + 1));
  }
}

void rule_fields::add_dns(std::string_view m) {
  // dnsmasq: "query[A] example.com from 10.1.2.3", "reply example.com is 1.2.3.4",
  // "forwarded example.com to 8.8.8.8", "cached example.com is NXDOMAIN".
  if (starts_with(m, "query[")) {
    const auto close = m.find(']');
    if (close == std::string_view::npos) return;
    add("record_type", m.substr(6, close - 6));
    const auto name = word_at(m, close + 2);
    if (!name.empty()) add("query", name);
    const auto from = word_after(m, " from ");
    if (looks_like_ip(from)) add("src_ip", from);
    return;
  }
  for (std::string_view verb : {"reply ", "cached ", "forwarded "}) {
    if (!starts_with(m, verb)) continue;
    const auto name = word_at(m, verb.size());
    if (!name.empty()) add("query", name);
    const auto answer = word_after(m, verb == "forwarded " ? " to " : " is ");
    if (!answer.empty()) add("answer", answer);
    return;
  }
  // BIND: "client @0x7f.. 10.1.2.3#53123 (example.com): query: example.com IN A +E(0)K (...)"
  const auto q = m.find("query: ");
  if (q == std::string_view::npos) return;
  const auto name = word_at(m, q + 7);
  if (name.empty()) return;
  add("query", name);
  const auto after = q + 7 + name.size();
  const auto cls = word_at(m, after + 1);
  const auto type = word_at(m, after + 2 + cls.size());
  if (!type.empty()) add("record_type", type);
  const auto client = m.find("client ");
  if (client != std::string_view::npos) {
    std::size_t i = client + 7;
    auto w = word_at(m, i);
    if (starts_with(w, "@")) w = word_at(m, i + w.size() + 1);
    const auto hash = w.find('#');
    const auto ip = w.substr(0, hash);
    if (looks_like_ip(ip)) add("src_ip", ip);
  }
}

}  // namespace seerflow::parse
