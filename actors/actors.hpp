#pragma once
// The whole actor protocol in one place: every actor interface of Seerflow, with one line per
// handler. Data-path actors are statically typed; receivers and supervisors, whose protocol is
// only control, are dynamically typed `caf::actor`s.
//
// Conventions every actor follows:
//   shutdown_atom           finish what is already queued (FIFO), then quit normally. The
//                           supervisor sends it in reverse start order for ordered shutdown.
//   inspect_atom -> string  a bounded JSON view of the actor's state (console, tests).
// Every data message carries a credit token (runtime/ingest/credit_gate.hpp); an actor keeps
// it until it is done with the data, which is what bounds every mailbox behind a receiver.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/replies_to.hpp>
#include <caf/send.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "messages/atoms.hpp"
#include "messages/batches.hpp"
#include "messages/cluster.hpp"

namespace seerflow::actors {

using namespace seerflow::messages;

// One per configured source: decode, event time, Drain, entities, logsource; then one
// event_batch to each sink and one routed_batch to the directory per input batch.
using source_actor = caf::typed_actor<
    // a receiver batch; the uint64 is the hand-off sequence number, acknowledged when processed
    caf::reacts_to<ingest_atom, std::uint64_t, model::raw_batch, ingest::credit_token>,
    // timer: stash the model state (miner, counters) in the registry vault
    caf::reacts_to<snapshot_atom>,
    // timer: retry sends held back while a sink or the directory was restarting
    caf::reacts_to<retry_atom>, caf::reacts_to<shutdown_atom>,
    caf::replies_to<inspect_atom>::with<std::string>>;

// Where decoded events go: the SQLite store in `start`, the NDJSON printer in `analyze`.
using sink_actor = caf::typed_actor<
    // events and rejected records of one batch, in input order
    caf::reacts_to<event_batch>,
    // timer: commit the buffer of generation N if it is still pending
    caf::reacts_to<flush_atom, std::uint64_t>,
    // commit now; replies with the number of events written so far
    caf::replies_to<sync_atom>::with<std::uint64_t>,
    // timer: background maintenance while idle (the store folds entity links when due)
    caf::reacts_to<sweep_atom>, caf::reacts_to<shutdown_atom>,
    caf::replies_to<inspect_atom>::with<std::string>>;

// The SQLite store: a sink that also keeps model state across restarts.
using store_actor = sink_actor::extend<
    // save the model state blob of a name (a source's miner, ...), replacing the previous one
    caf::reacts_to<snapshot_atom, std::string, std::string>,
    // the last saved model state of a name ("" if none)
    caf::replies_to<snapshot_atom, std::string>::with<std::string>,
    // alerts to store, written with the next commit of the buffer (after the events before them)
    caf::reacts_to<alert_atom, std::vector<model::alert>>,
    // entity graph edges, counts since their last save (upserted into graph_edges)
    caf::reacts_to<graph_atom, std::vector<model::edge_observation>>,
    // a file tailer at start: its read positions committed with the events (after writing
    // what is buffered), as tail/stored_offsets.hpp encodes them
    caf::replies_to<tail_atom, std::string>::with<std::string>,
    // snapshots of entity and template actors this node owns, written as this node's
    caf::reacts_to<handover_atom, std::vector<handover_item>>,
    // the snapshots a node wrote last (a dead node's ids, for the survivors)
    caf::replies_to<handover_atom, std::string>::with<std::vector<handover_item>>>;

// Live/passive counts of the directory: templates live, passive; entities live, passive.
using directory_counts = std::vector<std::uint64_t>;

// Per node: maps template and entity ids to live actors, spawning on first sight, passivating
// idle or least recently used ones (snapshot kept) and reviving them on demand.
using directory_actor = caf::typed_actor<
    // one delivery per destination; forwarded as one message each (in a cluster, the
    // deliveries for ids another node owns go there: one message per node per batch)
    caf::reacts_to<routed_batch>,
    // from another node (through the cluster actor): deliveries for ids this node owns;
    // true once they are handed to the actors
    caf::replies_to<forward_atom, routed_batch>::with<bool>,
    // cluster actor: the live members (sorted ids), their cluster actors (null for this
    // node), this node's id, and the members that died since the last placement (not those
    // that left); ids that now belong elsewhere are handed over, and a dead member's ids that
    // are now ours are restored from the shared store's snapshots
    caf::reacts_to<placement_atom, std::vector<std::string>, std::vector<caf::actor>, std::string,
                   std::vector<std::string>>,
    // from another node: the state of ids that now belong to this node
    caf::reacts_to<handover_atom, std::vector<handover_item>>,
    // timer: passivate actors idle longer than directory.idle_passivate
    caf::reacts_to<sweep_atom>,
    // timer: write the snapshots of changed actors to the shared store (cluster.snapshot_interval)
    caf::reacts_to<snapshot_atom>,
    // counts for the summary and tests: {templates live, passive, entities live, passive}
    caf::replies_to<stats_atom>::with<directory_counts>,
    // the state of one child ("entity" or "template", key): asked if live, read from its
    // snapshot if passive; "" if unknown
    caf::replies_to<inspect_atom, std::string, std::uint64_t>::with<std::string>,
    // kill one live child (operators, fault injection); it is revived on its next delivery
    caf::replies_to<restart_atom, std::string, std::uint64_t>::with<bool>,
    caf::reacts_to<shutdown_atom>, caf::replies_to<inspect_atom>::with<std::string>>;

// One per entity (virtual: spawned on first sight, passivated when idle).
using entity_actor = caf::typed_actor<
    // the observations of this entity in one batch
    caf::reacts_to<entity_message>,
    // reply with a state snapshot, then quit (the directory keeps the snapshot)
    caf::replies_to<passivate_atom>::with<std::string>,
    // reply with a state snapshot and go on (the directory writes it to a shared store)
    caf::replies_to<snapshot_atom>::with<std::string>, caf::reacts_to<shutdown_atom>,
    caf::replies_to<inspect_atom>::with<std::string>>;

// One per template (virtual, like entities).
using template_actor = caf::typed_actor<
    caf::reacts_to<template_message>, caf::replies_to<passivate_atom>::with<std::string>,
    caf::replies_to<snapshot_atom>::with<std::string>, caf::reacts_to<shutdown_atom>,
    caf::replies_to<inspect_atom>::with<std::string>>;

// Collects alerts from every detector; logs them; in `analyze`, hands them to the printer.
using alert_actor =
    caf::typed_actor<caf::reacts_to<model::alert>,
                     // every alert collected so far, in a deterministic order (time, id)
                     caf::replies_to<alerts_atom>::with<std::vector<model::alert>>,
                     caf::reacts_to<shutdown_atom>,
                     caf::replies_to<inspect_atom>::with<std::string>>;

// One per configured alert sink (alerts.sinks; kind alert_sink): keeps the alerts that pass
// the sink's severity and routing filters and hands them to its delivery engine
// (runtime/notify/delivery_engine.hpp), which sends them from a thread of its own.
using alert_sink_actor =
    caf::typed_actor<caf::reacts_to<model::alert>,  // an alert that passed dedup
                     caf::reacts_to<shutdown_atom>,
                     caf::replies_to<inspect_atom>::with<std::string>>;
// The entity graph: relations from the sources; its algorithms run on a timer or on request,
// never on the event path, and their findings go to the alert actor.
using graph_actor = caf::typed_actor<
    // the relations one source batch showed, folded per (from, to, type)
    caf::reacts_to<graph_atom, std::vector<model::edge_observation>>,
    // timer: run the algorithms, send findings, store changed edges, stash a snapshot
    caf::reacts_to<sweep_atom>,
    // run now; replies with the run's JSON view (sizes, top entities, findings)
    caf::replies_to<analyze_atom>::with<std::string>,
    // the ego graph of an entity (canonical value, radius) as JSON; "" if unknown
    caf::replies_to<analyze_atom, std::string, std::uint32_t>::with<std::string>,
    caf::reacts_to<shutdown_atom>, caf::replies_to<inspect_atom>::with<std::string>>;

// Receivers (kind syslog_udp, syslog_tcp, file_tail) are dynamically typed:
//   shutdown_atom   stop reading, hand over the partial batch, close sockets, quit
//   stopped_atom    (internal) the server finished stopping
//   inspect_atom -> string
// Supervisors are dynamically typed:
//   shutdown_atom           stop children in reverse start order, each after the previous quit
//   restart_atom, string    kill and restart the named child (operators, fault injection)
//   children_atom -> string JSON list of children with restart counts
//   inspect_atom -> string

}  // namespace seerflow::actors
