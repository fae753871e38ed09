#pragma once
// Finds the entities an event talks about (addresses, accounts, machines, files, domains,
// programs) in its header, its fields and its message, in canonical form with UUID5 ids.
// Precision comes first: a version taken for an IP or a Java class taken for a domain would
// pollute every per-entity model downstream, so each scanner demands context.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model/entity.hpp"
#include "runtime/model/event.hpp"

namespace seerflow::parse {

struct entity_options {
  std::array<bool, 6> enabled{true, true, true, true, true, true};  // by model::entity_type
  std::size_t max_per_event = 32;
};

struct entity_extractor_stats {
  std::uint64_t events = 0;            // extract() calls
  std::uint64_t entities = 0;          // entities appended
  std::uint64_t truncated_events = 0;  // events that had more than max_per_event entities
};

// What is found where (all matching is case-insensitive for keywords and keys):
//   header   ev.host (an ip when it is an IP literal, else a host), ev.app (a process)
//   fields   by key, also ECS-style dotted keys ("source.ip", "user.name", "host.name"):
//            user/ruser/suser/duser/username/acct/account/logname/login -> user;
//            host/rhost/hostname/shost/dhost/computer -> host (or ip for an IP literal);
//            ip/src/dst/addr/saddr/daddr/client_ip/remote_addr... -> ip (":port" dropped);
//            domain/fqdn -> domain; comm/process/program -> process;
//            exe/image -> file and process (basename); command -> the program path;
//            file/path/filename/cwd -> file
//   message  the same key=value pairs (values quoted or not; auditd hex values decoded);
//            IPv4 (not inside a longer dotted number or a host name, not after "version"),
//            IPv6 (needs "::" or eight groups and a decimal digit; bare or "[...]:port");
//            URLs (the host is a domain, ip or host; the path is skipped);
//            e-mail addresses (the part after '@' is a domain);
//            domains whose last label is a TLD from top_level_domain.hpp (ambiguous TLDs
//            such as .py or .so only in a domain context: URL, e-mail, "for <name> [");
//            dotted names rooted at com/org/net/java/javax/android/io... are Java classes;
//            absolute Unix paths (after a space, quote, '=', '(', '[', ',' or '<'), Windows
//            drive and UNC paths; "/a.b.c.d" (Java's InetAddress form) is an ip; the path of
//            an HTTP request line is not a file;
//            users in the phrasings of sshd, PAM, su, sudo and login(1): "for [invalid]
//            user X", "Invalid user X from", "Accepted|Failed|Postponed <method> for X
//            from", "failures for X", "(to X) Y on", "su for X by Y", "by X(uid=N)",
//            "X : TTY=... ; USER=Y ; COMMAND=..." (sudo), "ROOT LOGIN ON", "LOGIN ON tty BY X".
// The unspecified addresses (0.0.0.0, ::), "localhost" and a bare "/" are never entities; a
// domain equal to the event's own host is the host, not a domain.
// Not thread-safe (it keeps scratch buffers and an id cache): one extractor per thread/actor.
class entity_extractor {
 public:
  explicit entity_extractor(entity_options = {});

  // Appends the entities of `ev` (ev.host, ev.app, ev.fields, ev.message) to `out`,
  // de-duplicated by (type, value), ids filled, in a deterministic order: header-derived ones
  // first (host, process), then fields, then the message in order of appearance. At most
  // max_per_event are appended; an event that had more is counted in stats().
  void extract(const model::event& ev, std::vector<model::entity_ref>& out);

  const entity_extractor_stats& stats() const { return stats_; }
  const entity_options& options() const { return options_; }

 private:
  friend class entity_message_scanner;

  struct cache_slot {
    std::string value;
    model::uuid id{};
    std::uint8_t type = 0xff;
  };

  // Appends (type, canonical value) unless disabled, already present or over the limit.
  void emit(model::entity_type type, std::string_view canonical_value);
  // Canonicalises `raw` as `type` and emits it; false when `raw` was not a valid value.
  bool emit_raw(model::entity_type type, std::string_view raw);
  // Emits a value whose type depends on the key it came with (see the table above).
  void emit_keyed(std::uint8_t key_kind, std::string_view value);
  const model::uuid& id_for(model::entity_type type, std::string_view value);
  bool enabled(model::entity_type t) const { return options_.enabled[static_cast<std::size_t>(t)]; }

  entity_options options_;
  entity_extractor_stats stats_;
  std::vector<cache_slot> cache_;  // recent (type, value) -> id; direct-mapped
  std::string scratch_, scratch2_;
  std::string host_;  // canonical ev.host of the event being extracted
  std::vector<model::entity_ref>* out_ = nullptr;
  std::size_t base_ = 0;
  bool full_ = false;
};

}  // namespace seerflow::parse
