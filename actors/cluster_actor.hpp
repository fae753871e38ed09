#pragma once
// The cluster actor (kind `cluster`, node mode only): this node's membership in a cluster of
// Seerflow processes. It publishes itself over CAF's middleman with OpenSSL (mutual TLS), dials
// the seeds and every member it learns of (backing off on failures), monitors every peer and
// pings it, and tells the directory the live members whenever they change, so placement
// (rendezvous hashing) and hand-over follow. Batches and hand-overs that other nodes send to
// this node arrive here and go to the local directory.
//
// Protocol (dynamically typed; every message below crosses nodes unless noted):
//   join_atom, member_info -> member_info, vector<member_info>
//                                   a node that dialled us announces itself; we answer with
//                                   ourselves and every live member we know
//   members_atom, vector<member_info>   gossip: members the sender knows (we dial new ones)
//   ping_atom, string -> vector<member_info>   heartbeat, answered with our live members
//   forward_atom, routed_batch -> bool   deliveries for ids this node owns, one message per
//                                   source batch; true once the directory has taken them
//   handover_atom, vector<handover_item>  state of ids that now belong to this node
//   leave_atom, string              the sender is shutting down (its ids follow as hand-overs)
//   tick_atom (local)               timer: dial, ping, time out silent peers
//   inspect_atom, string kind, uint64 key -> string   an id's state, from its owner's directory
//   shutdown_atom, inspect_atom -> string (local; /api/cluster shows the view)
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/stateful_actor.hpp>

#include "runtime/cluster/membership.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct cluster_peer {
  caf::actor handle;
  std::int64_t last_answer_ms = 0;
  bool ping_outstanding = false;
};

struct cluster_state {
  system::node_context* ctx = nullptr;
  std::string actor_name;
  std::string self_id;
  std::string host;
  std::uint16_t port = 0;
  std::unique_ptr<cluster::membership> members;
  std::map<std::string, cluster_peer> peers;  // by node id, live ones only
  std::map<caf::actor_addr, std::string> by_addr;
  std::int64_t next_ping_ms = 0;
  caf::actor last_directory;  // the directory incarnation that has our placement
  std::uint64_t placement_version = 0;
  std::uint64_t sent_version = 0;
  std::vector<std::string> died;  // members lost (not left) since the directory's last placement
  metrics::counter* connect_failures = nullptr;
  metrics::counter* peers_lost = nullptr;
  metrics::counter* joins = nullptr;
  metrics::counter* forwards_in = nullptr;
  metrics::counter* handovers_in = nullptr;
  metrics::gauge* live_gauge = nullptr;
  metrics::gauge* unreachable_gauge = nullptr;
  static inline const char* name = "cluster";
};

caf::behavior cluster_actor_impl(caf::stateful_actor<cluster_state>* self,
                                 system::node_context* ctx, std::string name);

}  // namespace seerflow::actors
