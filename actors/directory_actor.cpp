#include "actors/directory_actor.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "actors/entity_actor.hpp"
#include "actors/inspect_stats.hpp"
#include "actors/template_actor.hpp"
#include "messages/inspect.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

directory_options directory_options_from(const config::settings& cfg) {
  directory_options o;
  o.max_live = cfg.directory.max_live_actors;
  o.max_passive = cfg.directory.max_passive;
  o.idle = std::chrono::milliseconds(cfg.directory.idle_passivate_ms);
  o.sweep_interval = std::chrono::milliseconds(cfg.directory.sweep_interval_ms);
  o.window.span_ns = cfg.entities.window_ms * 1'000'000;
  o.window.max_events = cfg.entities.window_max_events;
  o.correlation = correlation_settings_from(cfg);
  o.forward_timeout = std::chrono::milliseconds(cfg.cluster.forward_timeout_ms);
  // Only a store every node reads is worth writing to: a SQLite file is one node's own, and
  // the survivors of a node could never read its snapshots there.
  if (cfg.storage.backend == "postgresql")
    o.snapshot_interval = std::chrono::milliseconds(cfg.cluster.snapshot_interval_ms);
  return o;
}

correlate::settings correlation_settings_from(const config::settings& cfg) {
  const auto& c = cfg.correlation;
  constexpr std::int64_t ms = 1'000'000;
  correlate::settings s;
  s.half_life_ns = c.half_life_ms * ms;
  s.risk_threshold = c.risk_threshold;
  s.allowed_lateness_ns = c.allowed_lateness_ms * ms;
  s.points.sigma_low = c.points_sigma_low;
  s.points.sigma_medium = c.points_sigma_medium;
  s.points.sigma_high = c.points_sigma_high;
  s.points.sigma_critical = c.points_sigma_critical;
  s.points.anomaly = c.points_anomaly;
  s.points.correlation = c.points_correlation;
  s.points.graph = c.points_graph;
  s.kill_chain_window_ns = c.kill_chain_window_ms * ms;
  s.kill_chain_min_tactics = static_cast<std::size_t>(c.kill_chain_min_tactics);
  return s;
}

namespace {

using self_ptr = directory_actor::stateful_pointer<directory_state>;
using template_table = child_table<template_actor, template_message>;
using entity_table = child_table<entity_actor, entity_message>;

template_actor spawn_child(self_ptr self, std::uint64_t key, const template_message&,
                           std::string snapshot) {
  return self->spawn(template_actor_impl, key, std::move(snapshot));
}

entity_actor spawn_child(self_ptr self, std::uint64_t, const entity_message& first,
                         std::string snapshot) {
  auto& st = self->state;
  entity_actor_options o;
  o.window = st.opts.window;
  o.correlation = st.opts.correlation;
  o.ctx = st.ctx;
  o.late_findings = st.late_findings;
  o.late_observations = st.late_observations;
  o.lost_alerts = st.lost_alerts;
  o.stale_correlations = st.stale_correlations;
  o.late_correlations = st.late_correlations;
  o.overdue_verdicts = st.overdue_verdicts;
  return self->spawn(entity_actor_impl, first.delivery.entity, std::move(o), std::move(snapshot));
}

void update_gauges(self_ptr self) {
  auto& st = self->state;
  st.live_templates->set(static_cast<std::int64_t>(st.templates.live.size()));
  st.live_entities->set(static_cast<std::int64_t>(st.entities.live.size()));
  st.known_templates->set(static_cast<std::int64_t>(st.templates.known_ever));
  st.known_entities->set(static_cast<std::int64_t>(st.entities.known_ever));
}

void maybe_finish_shutdown(self_ptr self) {
  if (self->state.shutting_down && self->state.by_addr.empty()) self->quit();
}

// Starts an actor for `key` (fresh or from the slot's snapshot) and marks it live.
template <class Table>
void revive(self_ptr self, Table& t, bool is_entity, std::uint64_t key, typename Table::slot& s,
            const typename Table::message_type& first) {
  const bool from_snapshot = !s.snapshot.empty();
  s.handle = spawn_child(self, key, first, std::move(s.snapshot));
  s.snapshot.clear();
  s.phase = child_phase::live;
  t.live.push_front(key);
  s.lru = t.live.begin();
  s.last_active = self->clock().now();
  self->monitor(s.handle);
  self->state.live->add(caf::actor_cast<caf::actor>(s.handle));
  self->state.by_addr[s.handle.address()] = {is_entity, key};
  if (from_snapshot) self->state.revivals->add();
}

template <class Table>
void send_to(self_ptr self, typename Table::slot& s, typename Table::message_type msg) {
  self->send(s.handle, std::move(msg));
}

// ---- shared-store snapshots ----

bool snapshots_on(self_ptr self) {
  // Node mode (a placement came) on a shared store with writes enabled.
  return self->state.opts.snapshot_interval.count() > 0 && !self->state.placement.empty();
}

template <class Slot>
void mark_dirty(self_ptr self, bool is_entity, std::uint64_t key, Slot& s) {
  if (s.dirty || !snapshots_on(self)) return;
  s.dirty = true;
  self->state.dirty.emplace_back(is_entity, key);
}

// Snapshots per message to the store actor (written in one transaction there).
constexpr std::size_t snapshots_per_message = 512;

void send_snapshots(self_ptr self) {
  auto& st = self->state;
  if (st.snapshots_out.empty()) return;
  store_actor store;
  if (st.ctx && st.ctx->registry) store = st.ctx->registry->lookup<store_actor>("store");
  if (!store) {
    log::warn("directory", "no store: ", st.snapshots_out.size(),
              " actor snapshots not written (they are written again when they change)");
    st.snapshots_out.clear();
    return;
  }
  st.snapshots_written->add(st.snapshots_out.size());
  self->send(store, handover_atom::value, std::move(st.snapshots_out));
  st.snapshots_out.clear();
}

void queue_snapshot(self_ptr self, bool is_entity, std::uint64_t key, std::string snapshot) {
  auto& st = self->state;
  if (snapshot.empty()) return;
  st.snapshots_out.push_back({is_entity, key, std::move(snapshot)});
  if (st.snapshots_out.size() >= snapshots_per_message) send_snapshots(self);
}

bool owned_here(self_ptr self, std::uint64_t key);

// One dirty id: a passive one's snapshot is at hand; a live actor is asked for its own (it
// serialises on its own time, not the directory's). A passivating one is written by
// on_passivated; one that now belongs elsewhere is written by its new owner.
template <class Table>
void snapshot_dirty(self_ptr self, Table& t, bool is_entity, std::uint64_t key) {
  auto it = t.slots.find(key);
  if (it == t.slots.end() || !it->second.dirty) return;
  auto& s = it->second;
  if (s.phase == child_phase::passivating) return;
  s.dirty = false;
  if (!owned_here(self, key)) return;
  if (s.phase == child_phase::passive) {
    queue_snapshot(self, is_entity, key, s.snapshot);
    return;
  }
  if (s.phase != child_phase::live) return;
  ++self->state.snapshot_requests;
  auto done = [self] {
    if (--self->state.snapshot_requests == 0) send_snapshots(self);
  };
  self->request(s.handle, self->state.opts.restore_timeout, snapshot_atom::value)
      .then(
          [self, is_entity, key, done](std::string& snap) {
            queue_snapshot(self, is_entity, key, std::move(snap));
            done();
          },
          [done](caf::error&) { done(); });
}

// Timer: the snapshots of every id changed since its last write go to the store.
void write_snapshots(self_ptr self) {
  auto& st = self->state;
  auto dirty = std::move(st.dirty);
  st.dirty.clear();
  for (const auto& [is_entity, key] : dirty) {
    if (is_entity)
      snapshot_dirty(self, st.entities, true, key);
    else
      snapshot_dirty(self, st.templates, false, key);
  }
  if (st.snapshot_requests == 0) send_snapshots(self);
}

// Whether the first delivery of `key` must wait for a dead node's snapshots: it was that
// node's id before it died, and the store has not answered yet.
bool waits_for_restore(self_ptr self, std::uint64_t key) {
  for (const auto& j : self->state.restores)
    if (j.before.owner(key) == j.lost.front()) return true;
  return false;
}

template <class Table>
void deliver(self_ptr self, Table& t, bool is_entity, std::uint64_t key,
             typename Table::message_type msg) {
  auto [it, inserted] = t.slots.try_emplace(key);
  auto& s = it->second;
  bool revived = false;
  if (inserted) {
    ++t.known_ever;
    // An id of a node that died, whose snapshots the shared store is reading: it waits for
    // them (one branch per new id, and only while a read is under way).
    if (!self->state.restores.empty() && waits_for_restore(self, key)) {
      s.phase = child_phase::restoring;
      s.pending.push_back(std::move(msg));
      self->state.restoring.emplace_back(is_entity, key);
      return;
    }
    revive(self, t, is_entity, key, s, msg);
    revived = true;
  } else if (s.phase == child_phase::passivating || s.phase == child_phase::restoring) {
    s.pending.push_back(std::move(msg));
    return;
  } else if (s.phase == child_phase::passive) {
    t.passive.erase(s.lru);
    revive(self, t, is_entity, key, s, msg);
    revived = true;
  } else {
    t.live.splice(t.live.begin(), t.live, s.lru);  // most recently used first
    s.last_active = self->clock().now();
  }
  send_to<Table>(self, s, std::move(msg));
  mark_dirty(self, is_entity, key, s);
  // During shutdown every live child has already been told to stop; one revived now must be too.
  if (revived && self->state.shutting_down) self->send(s.handle, shutdown_atom::value);
}

// Puts a passive slot on the passive list, evicting the oldest snapshots beyond max_passive.
template <class Table>
void make_passive(self_ptr self, Table& t, std::uint64_t key, typename Table::slot& s) {
  s.phase = child_phase::passive;
  t.passive.push_front(key);
  s.lru = t.passive.begin();
  while (t.passive.size() > self->state.opts.max_passive) {
    const auto victim = t.passive.back();
    t.passive.pop_back();
    t.slots.erase(victim);
    self->state.evictions->add();
  }
}

// ---- cluster ----

bool owned_here(self_ptr self, std::uint64_t key) {
  auto& st = self->state;
  return !st.clustered || st.placement.owner_index(key) == st.self_index;
}

void add_delivery(routed_batch& b, template_message&& m) {
  b.templates.push_back(std::move(m.delivery));
}
void add_delivery(routed_batch& b, entity_message&& m) {
  b.entities.push_back(std::move(m.delivery));
}

// One message to the owning node's cluster actor; the receiver credits of the batch are held
// until that node has taken the deliveries (or the send failed), which is what bounds a link.
void forward(self_ptr self, std::size_t owner, routed_batch part,
             std::vector<ingest::credit_token> credits) {
  auto& st = self->state;
  const auto& peer = st.peers[owner];
  const auto n = part.templates.size() + part.entities.size();
  if (!peer) {
    st.forward_failures->add();
    log::warn("directory", "no handle for node ", st.placement.members()[owner], "; ", n,
              " deliveries dropped");
    return;
  }
  st.forwarded->add();
  const auto node = st.placement.members()[owner];
  const auto id = ++st.next_forward;
  st.in_flight[node][id] = std::move(credits);
  // True when the batch was still waiting (not already written off when its node left).
  auto settle = [self, node, id] {
    auto it = self->state.in_flight.find(node);
    return it != self->state.in_flight.end() && it->second.erase(id) > 0;
  };
  self->request(peer, st.opts.forward_timeout, forward_atom::value, std::move(part))
      .then([settle](bool) { settle(); },
            [self, settle, node, n](caf::error& err) {
              if (!settle()) return;
              self->state.forward_failures->add();
              log::warn("directory", n, " deliveries to node ", node,
                        " not acknowledged: ", caf::to_string(err));
            });
}

void send_handover(self_ptr self, std::size_t owner, std::vector<handover_item> items) {
  auto& st = self->state;
  if (items.empty()) return;
  if (!st.peers[owner]) {
    st.forward_failures->add();
    return;
  }
  st.handed_over->add(items.size());
  // anon_send: a typed actor may only send() to typed ones; the order with the forward
  // requests that follow is kept, since both leave this actor for the same proxy in turn.
  caf::anon_send(st.peers[owner], handover_atom::value, std::move(items));
}

template <class Table>
void on_passivated(self_ptr self, Table& t, bool is_entity, std::uint64_t key, std::string snapshot,
                   bool ok) {
  auto it = t.slots.find(key);
  if (it == t.slots.end() || it->second.phase != child_phase::passivating) return;
  auto& s = it->second;
  self->state.by_addr.erase(s.handle.address());
  self->state.live->remove(s.handle.address());
  s.handle = nullptr;
  s.snapshot = std::move(snapshot);
  if (ok)
    self->state.passivations->add();
  else
    self->state.failures->add();
  if (ok && s.dirty && owned_here(self, key)) {
    // Sent with the next batch of snapshots (the timer's, or a full one).
    s.dirty = false;
    queue_snapshot(self, is_entity, key, s.snapshot);
  }
  if (!owned_here(self, key)) {
    // The id belongs to another node now: its state goes there first, then whatever arrived
    // for it meanwhile (the same link keeps that order).
    const auto owner = self->state.placement.owner_index(key);
    send_handover(self, owner, {handover_item{is_entity, key, std::move(s.snapshot)}});
    if (!s.pending.empty()) {
      routed_batch rb;
      std::vector<ingest::credit_token> credits;
      for (auto& m : s.pending) {
        credits.push_back(m.credit);
        add_delivery(rb, std::move(m));
      }
      forward(self, owner, std::move(rb), std::move(credits));
    }
    t.slots.erase(it);
    update_gauges(self);
    maybe_finish_shutdown(self);
    return;
  }
  if (!s.pending.empty()) {
    // Deliveries arrived while it was saving: bring it straight back and hand them over.
    auto pending = std::move(s.pending);
    s.pending.clear();
    revive(self, t, is_entity, key, s, pending.front());
    for (auto& m : pending) send_to<Table>(self, s, std::move(m));
    mark_dirty(self, is_entity, key, s);
    if (self->state.shutting_down) self->send(s.handle, shutdown_atom::value);
  } else {
    make_passive(self, t, key, s);
  }
  update_gauges(self);
  maybe_finish_shutdown(self);
}

template <class Table>
void passivate(self_ptr self, Table& t, bool is_entity, std::uint64_t key) {
  auto& s = t.slots.at(key);
  t.live.erase(s.lru);
  s.phase = child_phase::passivating;
  Table* tp = &t;
  self->request(s.handle, caf::infinite, passivate_atom::value)
      .then(
          [=](std::string& snap) {
            on_passivated(self, *tp, is_entity, key, std::move(snap), true);
          },
          [=](caf::error&) { on_passivated(self, *tp, is_entity, key, std::string{}, false); });
}

// Keeps the number of live actors within max_live by passivating the least recently used.
void enforce_live_bound(self_ptr self) {
  auto& st = self->state;
  while (st.templates.live.size() + st.entities.live.size() > st.opts.max_live) {
    const bool t_empty = st.templates.live.empty();
    const bool e_empty = st.entities.live.empty();
    bool pick_entity;
    if (t_empty)
      pick_entity = true;
    else if (e_empty)
      pick_entity = false;
    else
      pick_entity = st.entities.slots.at(st.entities.live.back()).last_active <=
                    st.templates.slots.at(st.templates.live.back()).last_active;
    if (pick_entity)
      passivate(self, st.entities, true, st.entities.live.back());
    else
      passivate(self, st.templates, false, st.templates.live.back());
  }
}

template <class Table>
void sweep_idle(self_ptr self, Table& t, bool is_entity) {
  const auto cutoff = self->clock().now() - self->state.opts.idle;
  while (!t.live.empty()) {
    const auto key = t.live.back();
    if (t.slots.at(key).last_active > cutoff) break;
    passivate(self, t, is_entity, key);
  }
}

// Hands every id this node no longer owns to its owner: passive ones at once (their snapshot),
// live ones once they have passivated (on_passivated).
template <class Table>
void rebalance_table(self_ptr self, Table& t, bool is_entity) {
  auto& st = self->state;
  std::vector<std::vector<handover_item>> out(st.placement.size());
  std::vector<std::uint64_t> to_passivate;
  std::vector<std::uint64_t> to_drop;
  for (auto& [key, s] : t.slots) {
    const auto owner = st.placement.owner_index(key);
    if (owner == st.self_index) continue;
    if (s.phase == child_phase::live) {
      to_passivate.push_back(key);
    } else if (s.phase == child_phase::passive) {
      if (!s.snapshot.empty()) out[owner].push_back({is_entity, key, std::move(s.snapshot)});
      to_drop.push_back(key);
    }
  }
  for (auto key : to_drop) {
    auto it = t.slots.find(key);
    t.passive.erase(it->second.lru);
    t.slots.erase(it);
  }
  for (auto key : to_passivate) passivate(self, t, is_entity, key);
  for (std::size_t i = 0; i < out.size(); ++i) send_handover(self, i, std::move(out[i]));
}

void rebalance(self_ptr self) {
  if (!self->state.clustered || self->state.shutting_down) return;
  rebalance_table(self, self->state.templates, false);
  rebalance_table(self, self->state.entities, true);
  update_gauges(self);
}

// Deliveries of a local source batch: those this node owns (or still holds while handing them
// over) go to local actors; the others leave as one message per owning node.
void route_clustered(self_ptr self, routed_batch& b) {
  auto& st = self->state;
  std::vector<routed_batch> out(st.placement.size());
  for (auto& d : b.templates) {
    const auto key = d.template_id;
    const auto owner = st.placement.owner_index(key);
    auto it = st.templates.slots.find(key);
    if (owner == st.self_index ||
        (it != st.templates.slots.end() && it->second.phase == child_phase::passivating))
      deliver(self, st.templates, false, key, template_message{std::move(d), b.credit});
    else
      out[owner].templates.push_back(std::move(d));
  }
  for (auto& d : b.entities) {
    const auto key = model::entity_key(d.entity.id);
    const auto owner = st.placement.owner_index(key);
    auto it = st.entities.slots.find(key);
    if (owner == st.self_index ||
        (it != st.entities.slots.end() && it->second.phase == child_phase::passivating))
      deliver(self, st.entities, true, key, entity_message{std::move(d), b.credit});
    else
      out[owner].entities.push_back(std::move(d));
  }
  for (std::size_t i = 0; i < out.size(); ++i)
    if (!out[i].templates.empty() || !out[i].entities.empty())
      forward(self, i, std::move(out[i]), {b.credit});
}

void deliver_all_here(self_ptr self, routed_batch& b) {
  // The batch has one receiver (us), so CAF hands it over without a copy and the
  // deliveries can be moved on.
  for (auto& d : b.templates) {
    const auto key = d.template_id;
    deliver(self, self->state.templates, false, key, template_message{std::move(d), b.credit});
  }
  for (auto& d : b.entities) {
    const auto key = model::entity_key(d.entity.id);
    deliver(self, self->state.entities, true, key, entity_message{std::move(d), b.credit});
  }
}

// A restoring id's state arrived (or will not): it starts with it, then takes what waited.
template <class Table>
void revive_waiting(self_ptr self, Table& t, bool is_entity, std::uint64_t key,
                    typename Table::slot& s) {
  auto pending = std::move(s.pending);
  s.pending.clear();
  revive(self, t, is_entity, key, s, pending.front());
  for (auto& m : pending) send_to<Table>(self, s, std::move(m));
  mark_dirty(self, is_entity, key, s);
  if (self->state.shutting_down) self->send(s.handle, shutdown_atom::value);
}

// A snapshot that came from elsewhere (a hand-over, or the shared store after a death) for an id
// this node now owns, put in place when the slot is new or its deliveries wait for it: a new
// slot becomes passive (revived on its next delivery) and is written as ours at the next
// interval, should this node die too; a waiting one is revived with it. Returns false for a
// slot in any other phase, which the callers treat differently.
template <class Table>
bool install_snapshot(self_ptr self, Table& t, handover_item& item, typename Table::slot& s,
                      bool inserted) {
  if (inserted) {
    ++t.known_ever;
    s.snapshot = std::move(item.snapshot);
    make_passive(self, t, item.key, s);
    mark_dirty(self, item.entity, item.key, s);
    return true;
  }
  if (s.phase != child_phase::restoring) return false;
  s.snapshot = std::move(item.snapshot);
  revive_waiting(self, t, item.entity, item.key, s);
  return true;
}

template <class Table>
void take_over(self_ptr self, Table& t, handover_item& item) {
  auto [it, inserted] = t.slots.try_emplace(item.key);
  auto& s = it->second;
  if (install_snapshot(self, t, item, s, inserted)) {
    self->state.taken_over->add();
  } else if (s.phase == child_phase::passive) {
    s.snapshot = std::move(item.snapshot);
    self->state.taken_over->add();
    mark_dirty(self, item.entity, item.key, s);
  } else {
    // Deliveries from another node's source reached us first and started a fresh actor; its
    // state and the old owner's cannot be merged, so the live one stays.
    self->state.handover_conflicts->add();
  }
}

// ---- a dead node's ids from the shared store ----

// One snapshot the store had of the dead node: kept if the id was that node's and is ours now,
// unless its state already came another way (a hand-over, or deliveries after the wait).
template <class Table>
bool restore_one(self_ptr self, Table& t, handover_item& item) {
  auto [it, inserted] = t.slots.try_emplace(item.key);
  return install_snapshot(self, t, item, it->second, inserted);
}

// Ids that waited and no longer have a read to wait for start fresh.
void release_waiting(self_ptr self) {
  auto& st = self->state;
  std::vector<std::pair<bool, std::uint64_t>> still;
  for (const auto& [is_entity, key] : st.restoring) {
    auto release = [&](auto& t) {
      auto it = t.slots.find(key);
      if (it == t.slots.end() || it->second.phase != child_phase::restoring) return;
      if (waits_for_restore(self, key)) {
        still.emplace_back(is_entity, key);
        return;
      }
      st.restored_fresh->add();
      revive_waiting(self, t, is_entity, key, it->second);
    };
    if (is_entity)
      release(st.entities);
    else
      release(st.templates);
  }
  st.restoring = std::move(still);
}

void finish_restore(self_ptr self, std::uint64_t id, std::vector<handover_item>* items) {
  auto& st = self->state;
  auto it = std::find_if(st.restores.begin(), st.restores.end(),
                         [id](const auto& j) { return j.id == id; });
  if (it == st.restores.end()) return;
  auto job = std::move(*it);
  st.restores.erase(it);
  std::size_t kept = 0, seen = 0;
  if (items) {
    seen = items->size();
    for (auto& item : *items) {
      // Rows the dead node wrote for ids that were not its own any more are stale: the
      // id's owner then has it (and hands it over if it must).
      if (job.before.owner(item.key) != job.lost.front() || !owned_here(self, item.key)) continue;
      if (item.entity ? restore_one(self, st.entities, item)
                      : restore_one(self, st.templates, item))
        ++kept;
    }
  }
  st.restored->add(kept);
  log::info("directory", "node ", job.lost.front(), " died: ", kept, " of its ", seen,
            " stored actor snapshots restored here");
  release_waiting(self);
  enforce_live_bound(self);
  update_gauges(self);
}

// Members that died: read what each wrote last (one query per dead node, on the store's
// thread); their ids' first deliveries wait for it.
void start_restores(self_ptr self, const cluster::rendezvous& before,
                    const std::vector<std::string>& lost) {
  auto& st = self->state;
  if (st.opts.snapshot_interval.count() == 0 || st.shutting_down || before.empty()) return;
  store_actor store;
  if (st.ctx && st.ctx->registry) store = st.ctx->registry->lookup<store_actor>("store");
  for (const auto& node : lost) {
    const auto& was = before.members();
    if (node == st.self_id || std::find(was.begin(), was.end(), node) == was.end()) continue;
    if (!store) {
      log::warn("directory", "no store: the ids of node ", node, " start fresh");
      continue;
    }
    const auto id = ++st.next_restore;
    st.restores.push_back({id, before, {node}});
    self->request(store, st.opts.restore_timeout, handover_atom::value, node)
        .then([self, id](std::vector<handover_item>& items) { finish_restore(self, id, &items); },
              [self, id, node](caf::error& err) {
                log::warn("directory", "the snapshots of node ", node,
                          " could not be read: ", caf::to_string(err), "; its ids start fresh");
                finish_restore(self, id, nullptr);
              });
  }
}

// Shutdown: nothing waits any more (a waiting id starts fresh, then goes as any other).
void abandon_restores(self_ptr self) {
  self->state.restores.clear();
  release_waiting(self);
}

template <class Table>
void on_child_failure(self_ptr self, Table& t, std::uint64_t key) {
  auto it = t.slots.find(key);
  if (it == t.slots.end()) return;
  auto& s = it->second;
  if (s.phase == child_phase::live) {
    t.live.erase(s.lru);
    s.handle = nullptr;
    self->state.failures->add();
    make_passive(self, t, key, s);
  }
  // A child dying while passivating is handled by the failed request (on_passivated).
}

std::string passive_json(self_ptr, const template_table&, const std::string& snapshot) {
  auto st = state::template_state::restore(snapshot);
  return st ? st->inspect_json() : std::string{};
}

std::string passive_json(self_ptr self, const entity_table&, const std::string& snapshot) {
  std::string_view state_part, sigma_part;
  if (!split_entity_actor_snapshot(snapshot, state_part, sigma_part)) return {};
  auto st = state::entity_state::restore(state_part, self->state.opts.window,
                                         self->state.opts.correlation);
  return st ? st->inspect_json() : std::string{};
}

template <class Table>
caf::result<std::string> inspect_child(self_ptr self, Table& t, std::uint64_t key) {
  auto it = t.slots.find(key);
  if (it == t.slots.end()) return std::string{};
  auto& s = it->second;
  if (s.phase == child_phase::restoring) {
    nlohmann::json j{{"actor", "restoring"}};
    if (!self->state.self_id.empty()) j["node"] = self->state.self_id;
    return j.dump();
  }
  if (s.phase == child_phase::passive) {
    nlohmann::json j = nlohmann::json::parse(passive_json(self, t, s.snapshot), nullptr, false);
    if (j.is_discarded()) j = nlohmann::json::object();
    j["actor"] = "passive";
    if (!self->state.self_id.empty()) j["node"] = self->state.self_id;
    return j.dump();
  }
  auto rp = self->template make_response_promise<std::string>();
  self->request(s.handle, caf::infinite, inspect_atom::value)
      .then(
          [rp, node = self->state.self_id](std::string& json) mutable {
            nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
            if (j.is_discarded()) j = nlohmann::json::object();
            j["actor"] = "live";
            if (!node.empty()) j["node"] = node;
            rp.deliver(j.dump());
          },
          [rp](caf::error&) mutable { rp.deliver(std::string{}); });
  return rp;
}

template <class Table>
bool kill_child(self_ptr self, Table& t, std::uint64_t key) {
  auto it = t.slots.find(key);
  if (it == t.slots.end() || it->second.phase != child_phase::live) return false;
  self->send_exit(it->second.handle, caf::exit_reason::kill);
  return true;
}

template <class Table>
nlohmann::json table_json(const Table& t) {
  std::size_t passivating = 0;
  for (const auto& [k, s] : t.slots) passivating += s.phase == child_phase::passivating;
  return {{"live", t.live.size()},
          {"passivating", passivating},
          {"passive", t.passive.size()},
          {"known_ever", t.known_ever}};
}

}  // namespace

directory_actor::behavior_type directory_actor_impl(
    directory_actor::stateful_pointer<directory_state> self, system::node_context* ctx,
    directory_options opts) {
  auto& st = self->state;
  st.ctx = ctx;
  st.opts = opts;
  auto& m = *ctx->metrics;
  st.passivations = &m.get_counter("directory_passivations");
  st.forwarded = &m.get_counter("cluster_batches_forwarded");
  st.forward_failures = &m.get_counter("cluster_forward_failures");
  st.received = &m.get_counter("cluster_batches_delivered");
  st.handed_over = &m.get_counter("cluster_ids_handed_over");
  st.taken_over = &m.get_counter("cluster_ids_taken_over");
  st.handover_conflicts = &m.get_counter("cluster_handover_conflicts");
  st.revivals = &m.get_counter("directory_revivals");
  st.evictions = &m.get_counter("directory_snapshot_evictions");
  st.failures = &m.get_counter("directory_child_failures");
  st.late_findings = &m.get_counter("late_events", {{"stage", "correlation"}});
  st.late_observations = &m.get_counter("late_events", {{"stage", "entity_window"}});
  st.lost_alerts = &m.get_counter("correlation_alerts_lost");
  st.stale_correlations = &m.get_counter("sigma_correlation_matches_stale");
  st.late_correlations = &m.get_counter("late_events", {{"stage", "sigma_correlation"}});
  st.overdue_verdicts = &m.get_counter("sigma_correlation_verdicts_overdue");
  st.live_templates = &m.get_gauge("directory_live_actors", {{"kind", "template"}});
  st.live_entities = &m.get_gauge("directory_live_actors", {{"kind", "entity"}});
  st.known_templates = &m.get_gauge("directory_known", {{"kind", "template"}});
  st.known_entities = &m.get_gauge("directory_known", {{"kind", "entity"}});
  st.snapshots_written = &m.get_counter("cluster_snapshots_written");
  st.restored = &m.get_counter("cluster_ids_restored");
  st.restored_fresh = &m.get_counter("cluster_ids_restored_fresh");

  // Children are monitored, not linked (actors/child_set.hpp): they end when we end.
  self->state.live = child_set::attach_to(self);
  self->set_down_handler([=](caf::down_msg& msg) {
    auto it = self->state.by_addr.find(msg.source);
    if (it == self->state.by_addr.end()) return;  // passivated: already accounted for
    const auto [is_entity, key] = it->second;
    self->state.by_addr.erase(it);
    self->state.live->remove(msg.source);
    if (!self->state.shutting_down) {
      if (msg.reason && msg.reason != caf::exit_reason::normal)
        log::warn("directory", is_entity ? "entity" : "template", " actor ", key,
                  " failed: ", to_string(msg.reason), "; it will be revived on its next delivery");
      // A child that ended without being asked to passivate is treated as passive without a
      // snapshot: it is revived, fresh, on its next delivery.
      if (is_entity)
        on_child_failure(self, self->state.entities, key);
      else
        on_child_failure(self, self->state.templates, key);
    }
    update_gauges(self);
    maybe_finish_shutdown(self);
  });

  self->delayed_send(self, opts.sweep_interval, sweep_atom::value);
  if (opts.snapshot_interval.count() > 0)
    self->delayed_send(self, opts.snapshot_interval, snapshot_atom::value);

  return {
      [=](routed_batch& b) {
        if (self->state.clustered)
          route_clustered(self, b);
        else
          deliver_all_here(self, b);
        enforce_live_bound(self);
        update_gauges(self);
      },
      [=](forward_atom, routed_batch& b) -> bool {
        // Sent by the node whose source saw the events, because this node owns the ids (as it
        // saw the members then); delivered here even if the view differs, and moved on by the
        // next rebalance if it must.
        self->state.received->add();
        deliver_all_here(self, b);
        enforce_live_bound(self);
        update_gauges(self);
        return true;
      },
      [=](placement_atom, std::vector<std::string>& ids, std::vector<caf::actor>& handles,
          const std::string& me, std::vector<std::string>& lost) {
        auto& s = self->state;
        const auto before = s.placement;
        std::map<std::string, caf::actor> by_id;
        for (std::size_t i = 0; i < ids.size() && i < handles.size(); ++i)
          by_id[ids[i]] = handles[i];
        s.placement.assign(ids);
        s.peers.clear();
        s.self_index = 0;
        for (std::size_t i = 0; i < s.placement.size(); ++i) {
          const auto& id = s.placement.members()[i];
          s.peers.push_back(by_id[id]);
          if (id == me) s.self_index = i;
        }
        s.self_id = me;
        s.clustered = s.placement.size() > 1;
        // Batches a departed node never acknowledged: their credits go back to the receivers.
        for (auto it = s.in_flight.begin(); it != s.in_flight.end();) {
          if (by_id.count(it->first) == 0) {
            if (!it->second.empty())
              log::warn("directory", it->second.size(), " batches sent to node ", it->first,
                        " before it left were not acknowledged; their deliveries may be lost");
            s.forward_failures->add(it->second.size());
            it = s.in_flight.erase(it);
          } else {
            ++it;
          }
        }
        rebalance(self);
        start_restores(self, before, lost);
      },
      [=](handover_atom, std::vector<handover_item>& items) {
        for (auto& item : items) {
          if (item.entity)
            take_over(self, self->state.entities, item);
          else
            take_over(self, self->state.templates, item);
        }
        update_gauges(self);
      },
      [=](sweep_atom) {
        if (self->state.shutting_down) return;
        sweep_idle(self, self->state.templates, false);
        sweep_idle(self, self->state.entities, true);
        rebalance(self);  // ids that reached us under an older view of the members
        update_gauges(self);
        self->delayed_send(self, self->state.opts.sweep_interval, sweep_atom::value);
      },
      [=](snapshot_atom) {
        if (self->state.shutting_down) return;
        write_snapshots(self);
        self->delayed_send(self, self->state.opts.snapshot_interval, snapshot_atom::value);
      },
      [=](stats_atom) -> directory_counts {
        auto& s = self->state;
        return {s.templates.live.size(), s.templates.passive.size(), s.entities.live.size(),
                s.entities.passive.size()};
      },
      [=](inspect_atom, const std::string& kind, std::uint64_t key) -> caf::result<std::string> {
        auto& s = self->state;
        // In a cluster the id's actor lives on its owner: ask that node's directory.
        if (s.clustered) {
          const auto owner = s.placement.owner_index(key);
          if (owner != s.self_index && s.peers[owner]) {
            auto rp = self->make_response_promise<std::string>();
            self->request(s.peers[owner], std::chrono::seconds(2), inspect_atom::value, kind, key)
                .then([rp](std::string& v) mutable { rp.deliver(std::move(v)); },
                      [rp](caf::error&) mutable { rp.deliver(std::string{}); });
            return rp;
          }
        }
        if (kind == "entity") return inspect_child(self, s.entities, key);
        if (kind == "template") return inspect_child(self, s.templates, key);
        return std::string{};
      },
      [=](restart_atom, const std::string& kind, std::uint64_t key) -> bool {
        auto& s = self->state;
        if (kind == "entity") return kill_child(self, s.entities, key);
        if (kind == "template") return kill_child(self, s.templates, key);
        return false;
      },
      [=](shutdown_atom) {
        auto& s = self->state;
        abandon_restores(self);
        if (s.clustered && !s.shutting_down) {
          // Leaving the cluster: every id goes, with its state, to its owner among the
          // members that stay (the cluster actor has told them we are leaving).
          std::vector<std::string> others;
          std::vector<caf::actor> handles;
          for (std::size_t i = 0; i < s.placement.size(); ++i) {
            if (i == s.self_index) continue;
            others.push_back(s.placement.members()[i]);
            handles.push_back(s.peers[i]);
          }
          s.placement.assign(std::move(others));  // a sorted subset keeps its order
          s.peers = std::move(handles);
          s.self_index = std::numeric_limits<std::size_t>::max();  // nothing is ours now
          rebalance_table(self, s.templates, false);
          rebalance_table(self, s.entities, true);
          s.shutting_down = true;
          update_gauges(self);
          maybe_finish_shutdown(self);
          return;
        }
        s.shutting_down = true;
        for (auto key : s.templates.live)
          self->send(s.templates.slots.at(key).handle, shutdown_atom::value);
        for (auto key : s.entities.live)
          self->send(s.entities.slots.at(key).handle, shutdown_atom::value);
        maybe_finish_shutdown(self);
      },
      [=](inspect_atom) -> std::string {
        nlohmann::ordered_json j;
        j["templates"] = table_json(self->state.templates);
        j["entities"] = table_json(self->state.entities);
        j["max_live_actors"] = self->state.opts.max_live;
        j["max_passive"] = self->state.opts.max_passive;
        j["idle_passivate_ms"] = self->state.opts.idle.count();
        if (!self->state.placement.empty()) {
          auto& s = self->state;
          j["cluster"] = {{"self", s.self_id},
                          {"members", s.placement.members()},
                          {"batches_forwarded", s.forwarded->value()},
                          {"batches_unacknowledged",
                           [&] {
                             std::size_t n = 0;
                             for (const auto& [node, m] : s.in_flight) n += m.size();
                             return n;
                           }()},
                          {"forward_failures", s.forward_failures->value()},
                          {"batches_received", s.received->value()},
                          {"ids_handed_over", s.handed_over->value()},
                          {"ids_taken_over", s.taken_over->value()},
                          {"handover_conflicts", s.handover_conflicts->value()},
                          {"snapshot_interval_ms", s.opts.snapshot_interval.count()},
                          {"snapshots_written", s.snapshots_written->value()},
                          {"ids_restored", s.restored->value()},
                          {"ids_restored_fresh", s.restored_fresh->value()},
                          {"restores_pending", s.restores.size()},
                          {"ids_waiting", s.restoring.size()}};
        }
        add_mailbox(j, self);
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
