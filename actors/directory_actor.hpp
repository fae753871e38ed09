#pragma once
// The directory: per node, maps template ids and entity keys to live actors. Actors are
// virtual: spawned on first sight, passivated (snapshot kept, actor stopped) when idle or when
// more than directory.max_live_actors are live, and revived on the next delivery. Children are
// monitored: a crashed child is revived, fresh, on its next delivery.
#include <chrono>
#include <cstdint>
#include <functional>
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
  // The hook for a shared store (storage.backend postgresql): the last snapshot of an id this
  // node takes over without a hand-over (its owner died), or "" to start fresh. Unset: fresh.
  std::function<std::string(bool is_entity, std::uint64_t key)> shared_snapshot;
};

directory_options directory_options_from(const config::settings& cfg);
correlate::settings correlation_settings_from(const config::settings& cfg);

enum class child_phase : std::uint8_t { live, passivating, passive };

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
