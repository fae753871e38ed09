#pragma once
// Derives typed entity relations from the events of a batch, folded per (from, to, type), so a
// source sends the graph one message per batch whatever its size.
//
// The rules, per event (words are matched case-insensitively in the message):
//   authenticated_from  user -> ip    a user and an ip in an event that reports a successful
//                                     authentication ("Accepted ...", "session opened",
//                                     "authenticated", "logged in", "login successful") and
//                                     no failure ("fail", "invalid", "denied", "not ").
//                                     Failed attempts are not relations: they are findings of
//                                     the rules and of risk, and would make every scanner a
//                                     neighbour of every account name it guessed.
//   logged_into         user -> host  the same success condition, with a host (in practice
//                                     the machine that wrote the log).
//   has_ip              host -> ip    a host and an ip in an address binding: DHCP
//                                     (DHCPACK/OFFER/REQUEST, "lease"), "has address",
//                                     "is at" (ARP), "assigned", "bound to".
//   accessed            user -> file  a user and a file in one event (sudo's COMMAND=, auditd
//                                     records with the account and the path, "opened" lines):
//                                     the account is the actor, the file what it touched.
//   resolved_to         domain -> ip  a domain and an ip in a DNS record (logsource category
//                                     or service dns, or dnsmasq/named/unbound/resolved) or a
//                                     resolution phrase ("reply", "resolv", "getaddrinfo",
//                                     "reverse mapping", "has address", "query", "lookup").
//   spawned_by          process -> process  the event's own program (header) and another
//                                     process in an event that says it started it ("exec",
//                                     "spawn", "COMMAND=", "CMD", "start", "fork", "launch"):
//                                     the other one is the child.
// At most max_pairs_per_event relations are taken from one event (a line that names dozens
// of entities is a list, not a set of relations); the excess is counted.
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "runtime/model/edge_observation.hpp"
#include "runtime/model/event.hpp"

namespace seerflow::graph {

struct edge_inference_stats {
  std::uint64_t events = 0;         // events looked at
  std::uint64_t relations = 0;      // relations found (before folding)
  std::uint64_t capped_events = 0;  // events that had more than max_pairs_per_event
};

class edge_inference {
 public:
  explicit edge_inference(std::size_t max_pairs_per_event = 16) : max_pairs_(max_pairs_per_event) {}

  // Adds the relations of one event to the current batch.
  void add(const model::event& ev);
  // Moves the batch's folded relations (in first-seen order) into `out` and starts a new one.
  void take(std::vector<model::edge_observation>& out);
  bool empty() const { return batch_.empty(); }
  const edge_inference_stats& stats() const { return stats_; }

 private:
  void relate(const model::entity_ref& from, const model::entity_ref& to, model::edge_type t,
              std::int64_t time_ns, std::size_t& budget, bool& capped);

  struct key {
    std::uint64_t from, to;
    std::uint8_t type;
    friend bool operator==(const key&, const key&) = default;
  };
  struct key_hash {
    std::size_t operator()(const key& k) const noexcept;
  };
  std::size_t max_pairs_;
  std::vector<model::edge_observation> batch_;
  std::unordered_map<key, std::size_t, key_hash> index_;
  edge_inference_stats stats_;
  std::string lower_;  // scratch: the message in lower case
};

}  // namespace seerflow::graph
