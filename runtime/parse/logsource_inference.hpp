#pragma once
// Maps an event to Sigma's logsource (product, service, category) so that Sigma rules written
// for "linux/sshd", "linux/auditd" or "webserver" fire on live input. Table-driven: rules by
// program name and by syslog facility, with defaults taken from the services the public
// SigmaHQ Linux rules use (sshd, sudo, cron, auditd, auth, syslog, vsftpd, clamav, guacamole).
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "runtime/model/event.hpp"

namespace seerflow::parse {

// Decision order, first match wins:
//  1. an audit record ("type=SYSCALL msg=audit(...)", kernel "audit: type=1400 audit(...)")
//     from auditd, audit, audispd, kernel or an unnamed program    -> linux / auditd
//  2. an HTTP access-log line (a request line '"GET /x HTTP/1.1" 200') -> category webserver
//  3. the program rule for ev.app (case-insensitive; "sshd(pam_unix)" and "sshd[12]" count
//     as "sshd", "/usr/sbin/sshd" as "sshd")
//  4. the facility rule for ev.facility
//  5. any other syslog record (a facility or a program is known)  -> linux / syslog
//  6. otherwise the empty logsource (no rule with a logsource constraint matches).
// Default program rules: sshd -> linux/sshd; sudo -> linux/sudo; cron, crond, anacron ->
// linux/cron; su, login, passwd, pkexec, polkitd, systemd-logind, unix_chkpwd, useradd,
// userdel, usermod, groupadd, groupdel, chpasswd, chage -> linux/auth; systemd ->
// linux/syslog; vsftpd -> linux/vsftpd; clamd, freshclam -> linux/clamav; guacd ->
// linux/guacamole; dnsmasq, named, unbound -> category dns; squid -> category proxy.
// Default facility rules: auth (4), authpriv (10) -> linux/auth; cron (9) ->
// linux/cron.
class logsource_inference {
 public:
  logsource_inference();

  // Adds or replaces the rule for a program name (matched case-insensitively).
  void add_program_rule(std::string_view program, model::logsource ls);
  // Adds or replaces the rule for a syslog facility (0..23); other values are ignored and
  // reported by returning false.
  bool add_facility_rule(int facility, model::logsource ls);

  model::logsource infer(const model::event& ev) const;

  // The content tests, exposed for the tests and for other decoders.
  static bool is_audit_record(std::string_view message);
  static bool is_http_access_line(std::string_view message);

 private:
  struct ci_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const;
  };
  struct ci_equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
  };

  std::unordered_map<std::string, model::logsource, ci_hash, ci_equal> programs_;
  std::array<std::optional<model::logsource>, 24> facilities_{};
};

}  // namespace seerflow::parse
