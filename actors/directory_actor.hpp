#pragma once
// The directory: per node, maps template ids and entity keys to live actors. Actors are
// virtual: spawned on first sight, passivated (snapshot kept, actor stopped) when idle or when
// more than directory.max_live_actors are live, and revived on the next delivery. Children are
// monitored: a crashed child is revived, fresh, on its next delivery.
//
// In a cluster on a shared store (storage.backend postgresql), each node writes the snapshots
// of the ids it owns to the store (actor_snapshots): those of actors that changed, every
// cluster.snapshot_interval, and on passivation; in batches, through the store actor. When a
// member dies (not when it leaves: a leaving node hands its ids over), each survivor reads what
// that node wrote last, in one query off its own thread, and keeps the snapshots of the ids it
// owns now as passive slots; a first delivery for an id of the dead node that arrives before
// the answer waits for it (its credit held), so an id never starts fresh while its state is on
// the way. Events the dead node took after its last write are lost to its actors' state.
#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/actor_clock.hpp>

#include "actors/actors.hpp"
#include "actors/child_set.hpp"
#include "runtime/cluster/rendezvous.hpp"
#include "runtime/correlate/settings.hpp"
#include "runtime/state/entity_state.hpp"
#include "runtime/system/node_context.hpp"

namespace seerflow::actors {

struct directory_options {
  std::size_t max_live = 100000;
  std::size_t max_passive = 1000000;
  std::chrono::milliseconds idle{300000};
  std::chrono::milliseconds sweep_interval{10000};
  state::window_options window;
  correlate::settings correlation;  // handed to every entity actor
  // In a cluster, how long a batch sent to its owning node may wait for the acknowledgement.
  std::chrono::milliseconds forward_timeout{10000};
  // Shared store (storage.backend postgresql): how often snapshots of changed actors are
  // written; 0 = never written, and a dead node's ids start fresh.
  std::chrono::milliseconds snapshot_interval{0};
  // How long the store may take to answer for a dead node's snapshots before its ids that
  // wait start fresh.
  std::chrono::milliseconds restore_timeout{30000};
};

directory_options directory_options_from(const config::settings& cfg);
correlate::settings correlation_settings_from(const config::settings& cfg);

// restoring: a first delivery for an id of a dead node, waiting (pending) for the snapshots
// the shared store has of that node's ids.
enum class child_phase : std::uint8_t { live, passivating, passive, restoring };

template <class Handle, class Message>
struct child_table {
  using handle_type = Handle;
  using message_type = Message;
  struct slot {
    child_phase phase = child_phase::passive;
    Handle handle;
    std::string snapshot;          // valid while passive
    std::vector<Message> pending;  // deliveries that arrived while passivating
    caf::actor_clock::time_point last_active{};
    std::list<std::uint64_t>::iterator lru;  // in `live` or `passive`, by phase
    bool dirty = false;  // changed since its snapshot was last written to the shared store
  };
  std::unordered_map<std::uint64_t, slot> slots;
  std::list<std::uint64_t> live;     // most recently used first
  std::list<std::uint64_t> passive;  // most recently passivated first
  std::uint64_t known_ever = 0;      // distinct ids spawned for the first time
};

struct directory_state {
  system::node_context* ctx = nullptr;
  directory_options opts;
  child_table<template_actor, template_message> templates;
  child_table<entity_actor, entity_message> entities;
  // Which slot a linked child belongs to, for exit handling: (is_entity, key).
  std::unordered_map<caf::actor_addr, std::pair<bool, std::uint64_t>> by_addr;
  std::shared_ptr<child_set> live;  // stopped when the directory ends
  bool shutting_down = false;
  std::size_t awaiting_exit = 0;
  // Cluster placement (actors/cluster_actor.hpp): the live members and their cluster actors
  // (null for this node). Not clustered (one member, or none known): every id is local.
  cluster::rendezvous placement;
  std::vector<caf::actor> peers;
  std::size_t self_index = 0;
  bool clustered = false;
  std::string self_id;
  // Receiver credits of batches sent to a node and not yet acknowledged, by node and request;
  // released when the node answers, or at once when it leaves the members (a dead node never
  // answers, and its credits must not stall the sources until the request times out).
  std::map<std::string, std::map<std::uint64_t, std::vector<ingest::credit_token>>> in_flight;
  std::uint64_t next_forward = 0;
  // Shared-store snapshots: ids changed since their last write (is_entity, key; each once
  // while dirty), snapshots waiting to go to the store actor in one message, and the children
  // asked for theirs that have not answered yet.
  std::vector<std::pair<bool, std::uint64_t>> dirty;
  std::vector<handover_item> snapshots_out;
  std::size_t snapshot_requests = 0;
  // Dead members whose snapshots are being read: the members before the death (to tell which
  // ids were theirs) and the dead ones. Ids waiting in phase `restoring` are listed beside.
  struct restore_job {
    std::uint64_t id = 0;
    cluster::rendezvous before;
    std::vector<std::string> lost;
  };
  std::vector<restore_job> restores;
  std::uint64_t next_restore = 0;
  std::vector<std::pair<bool, std::uint64_t>> restoring;
  metrics::counter* snapshots_written = nullptr;
  metrics::counter* restored = nullptr;
  metrics::counter* restored_fresh = nullptr;
  metrics::counter* forwarded = nullptr;
  metrics::counter* forward_failures = nullptr;
  metrics::counter* received = nullptr;
  metrics::counter* handed_over = nullptr;
  metrics::counter* taken_over = nullptr;
  metrics::counter* handover_conflicts = nullptr;
  metrics::counter* passivations = nullptr;
  metrics::counter* revivals = nullptr;
  metrics::counter* evictions = nullptr;
  metrics::counter* failures = nullptr;
  metrics::counter* late_findings = nullptr;
  metrics::counter* late_observations = nullptr;
  metrics::counter* lost_alerts = nullptr;
  metrics::counter* stale_correlations = nullptr;
  metrics::counter* late_correlations = nullptr;
  metrics::counter* overdue_verdicts = nullptr;
  metrics::gauge* live_templates = nullptr;
  metrics::gauge* live_entities = nullptr;
  metrics::gauge* known_templates = nullptr;
  metrics::gauge* known_entities = nullptr;
  static inline const char* name = "directory";
};

directory_actor::behavior_type directory_actor_impl(
    directory_actor::stateful_pointer<directory_state> self, system::node_context* ctx,
    directory_options opts);

}  // namespace seerflow::actors
