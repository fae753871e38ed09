#include "runtime/parse/logsource_inference.hpp"

#include "runtime/parse/entity_canonical.hpp"

namespace seerflow::parse {
namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}

model::logsource linux_service(std::string_view service) {
  return model::logsource{"linux", std::string(service), ""};
}

}  // namespace

std::size_t logsource_inference::ci_hash::operator()(std::string_view s) const {
  std::size_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(lower(c));
    h *= 0x100000001b3ULL;
  }
  return h;
}

bool logsource_inference::ci_equal::operator()(std::string_view a, std::string_view b) const {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

logsource_inference::logsource_inference() {
  add_program_rule("sshd", linux_service("sshd"));
  add_program_rule("sudo", linux_service("sudo"));
  for (auto p : {"cron", "crond", "anacron"}) add_program_rule(p, linux_service("cron"));
  for (auto p : {"su", "login", "passwd", "pkexec", "polkitd", "systemd-logind", "unix_chkpwd",
                 "useradd", "userdel", "usermod", "groupadd", "groupdel", "chpasswd", "chage"})
    add_program_rule(p, linux_service("auth"));
  add_program_rule("systemd", linux_service("syslog"));
  add_program_rule("vsftpd", linux_service("vsftpd"));
  for (auto p : {"clamd", "freshclam"}) add_program_rule(p, linux_service("clamav"));
  add_program_rule("guacd", linux_service("guacamole"));
  for (auto p : {"dnsmasq", "named", "unbound"}) add_program_rule(p, {"", "", "dns"});
  for (auto p : {"squid", "squid-1"}) add_program_rule(p, {"", "", "proxy"});
  add_facility_rule(4, linux_service("auth"));
  add_facility_rule(10, linux_service("auth"));
  add_facility_rule(9, linux_service("cron"));
}

void logsource_inference::add_program_rule(std::string_view program, model::logsource ls) {
  const auto it = programs_.find(program);
  if (it != programs_.end())
    it->second = std::move(ls);
  else
    programs_.emplace(std::string(program), std::move(ls));
}

bool logsource_inference::add_facility_rule(int facility, model::logsource ls) {
  if (facility < 0 || facility >= static_cast<int>(facilities_.size())) return false;
  facilities_[static_cast<std::size_t>(facility)] = std::move(ls);
  return true;
}

bool logsource_inference::is_audit_record(std::string_view m) {
  // "type=<NAME or number>" as a word of its own, then "audit(" with the record's stamp.
  std::size_t p = 0;
  while ((p = m.find("type=", p)) != std::string_view::npos) {
    if (p == 0 || m[p - 1] == ' ') {
      std::size_t e = p + 5;
      while (e < m.size() && (is_upper(m[e]) || is_digit(m[e]) || m[e] == '_')) ++e;
      if (e > p + 5 && m.find("audit(", e) != std::string_view::npos) return true;
      return false;
    }
    p += 5;
  }
  return false;
}

bool logsource_inference::is_http_access_line(std::string_view m) {
  // '"METHOD target HTTP/x[.y]" NNN' (Common and Combined Log Format, nginx's default).
  std::size_t p = 0;
  while ((p = m.find(" HTTP/", p)) != std::string_view::npos) {
    std::size_t e = p + 6;
    const std::size_t digits_start = e;
    while (e < m.size() && (is_digit(m[e]) || m[e] == '.')) ++e;
    const bool status = e > digits_start && e + 5 <= m.size() && m[e] == '"' && m[e + 1] == ' ' &&
                        is_digit(m[e + 2]) && is_digit(m[e + 3]) && is_digit(m[e + 4]);
    if (status) {
      // Back over the target (no spaces) to the method and its opening quote.
      std::size_t b = p;
      while (b > 0 && m[b - 1] != ' ' && m[b - 1] != '"') --b;
      if (b > 0 && m[b - 1] == ' ') {
        std::size_t mb = b - 1;
        while (mb > 0 && is_upper(m[mb - 1])) --mb;
        if (b - 1 - mb >= 3 && mb > 0 && m[mb - 1] == '"') return true;
      }
    }
    p += 6;
  }
  return false;
}

model::logsource logsource_inference::infer(const model::event& ev) const {
  std::string program;
  if (!ev.app.empty() && !canonical_process(ev.app, program)) program.clear();

  const ci_equal eq;
  if ((program.empty() || eq(program, "auditd") || eq(program, "audit") || eq(program, "audispd") ||
       eq(program, "kernel")) &&
      is_audit_record(ev.message))
    return linux_service("auditd");
  if (ev.message.find(" HTTP/") != std::string::npos && is_http_access_line(ev.message))
    return model::logsource{"", "", "webserver"};
  if (!program.empty()) {
    const auto it = programs_.find(std::string_view(program));
    if (it != programs_.end()) return it->second;
  }
  if (ev.facility >= 0 && static_cast<std::size_t>(ev.facility) < facilities_.size() &&
      facilities_[static_cast<std::size_t>(ev.facility)])
    return *facilities_[static_cast<std::size_t>(ev.facility)];
  if (ev.facility >= 0 || !program.empty()) return linux_service("syslog");
  return {};
}

}  // namespace seerflow::parse
