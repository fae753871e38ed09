#pragma once
// The fields one event shows to Sigma rules, under the names rules are written with. Syslog
// header fields for every event, plus what each logsource's message format carries: sshd
// (user, src_ip, outcome), sudo (USER, COMMAND), auditd key=value records, web access logs
// (cs-method, cs-uri-query, sc-status, ...), squid (c-uri, cs-host) and dnsmasq/named (query).
// The contract is written out in rules/README.md; a rule may only rely on what is listed there.
//
// Built once per event on the evaluation path, so it allocates nothing in the steady state:
// values are views into the event or into scratch strings this object reuses.
#include <cstddef>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model/event.hpp"

namespace seerflow::parse {

struct rule_field {
  std::string_view name, value;
};

class rule_fields {
 public:
  // Replaces the view with the fields of `ev`. The views point into `ev` and into this object:
  // valid until the next fill(), or until `ev` changes or goes away.
  void fill(const model::event& ev);

  std::span<const rule_field> fields() const { return fields_; }
  // The first value of `name` (names are case-sensitive, as in Sigma).
  std::optional<std::string_view> get(std::string_view name) const;

  // The message parsers, exposed for tests and for callers that build fields without an event.
  void add_sshd(std::string_view message);
  void add_sudo(std::string_view message);
  void add_auditd(std::string_view message);
  void add_access_log(std::string_view message);
  void add_squid(std::string_view message);
  void add_dns(std::string_view message);

  // Cap on the fields taken from one message: a hostile record of 100,000 "k=v" pairs must not
  // make every rule scan them all.
  static constexpr std::size_t max_message_fields = 256;

 private:
  void add(std::string_view name, std::string_view value);
  // A cleared string for a decoded value; views of it stay valid until the next fill().
  std::string& scratch();

  std::vector<rule_field> fields_;
  // A deque, because views into its strings must survive later push_backs.
  std::deque<std::string> scratch_;
  std::size_t scratch_used_ = 0;
  std::size_t message_fields_ = 0;
};

}  // namespace seerflow::parse
