#pragma once
// Every atom of the actor protocol (CAF 0.17: at most 10 characters each). actors/actors.hpp
// says which actor answers which.
#include <caf/atom.hpp>

namespace seerflow::messages {

using ingest_atom = caf::atom_constant<caf::atom("ingest")>;      // receiver -> source: a batch
using shutdown_atom = caf::atom_constant<caf::atom("shutdown")>;  // ordered stop: drain, then quit
using passivate_atom =
    caf::atom_constant<caf::atom("passivate")>;  // directory -> child: snapshot and quit
using inspect_atom =
    caf::atom_constant<caf::atom("inspect")>;               // anyone -> actor: bounded JSON state
using flush_atom = caf::atom_constant<caf::atom("flush")>;  // sink: commit what is buffered
using sync_atom = caf::atom_constant<caf::atom("sync")>;    // sink: flush, then reply
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;  // directory timer: passivate idle
using retry_atom = caf::atom_constant<caf::atom("retry")>;  // timer: retry held-back sends
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;  // source timer: stash model state
using stopped_atom = caf::atom_constant<caf::atom("stopped")>;  // receiver: its server has stopped
using alert_atom = caf::atom_constant<caf::atom("alert")>;      // alert actor -> store: store these
using alerts_atom = caf::atom_constant<caf::atom("alerts")>;  // alert actor: list collected alerts
using stats_atom = caf::atom_constant<caf::atom("stats")>;    // directory: live/passive counts
using restart_atom = caf::atom_constant<caf::atom("restart")>;    // supervisor: restart one child
using children_atom = caf::atom_constant<caf::atom("children")>;  // supervisor: list children
using graph_atom =
    caf::atom_constant<caf::atom("graph")>;  // source -> graph, graph -> store: edges
using tail_atom =
    caf::atom_constant<caf::atom("tail")>;  // file tailer -> store: its committed read positions
using analyze_atom =
    caf::atom_constant<caf::atom("analyze")>;  // graph: run the algorithms now, reply JSON

// Cluster (actors/cluster_actor.hpp): between nodes, and from the cluster actor to the directory.
using join_atom = caf::atom_constant<caf::atom("join")>;  // node -> node: I am here; who else is?
using members_atom = caf::atom_constant<caf::atom("members")>;    // gossip: the live members I know
using ping_atom = caf::atom_constant<caf::atom("ping")>;          // heartbeat; replies with members
using forward_atom = caf::atom_constant<caf::atom("forward")>;    // a batch for ids a node owns
using handover_atom = caf::atom_constant<caf::atom("handover")>;  // snapshots of ids that moved
using placement_atom = caf::atom_constant<caf::atom("placement")>;  // cluster -> directory
using tick_atom = caf::atom_constant<caf::atom("tick")>;            // timer

}  // namespace seerflow::messages
