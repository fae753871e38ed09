#pragma once
// What a source actor tells the template and entity actors about one batch: one delivery per
// destination, so a hot entity gets one message per batch instead of one per event.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/model/correlation_observation.hpp"
#include "runtime/model/entity.hpp"
#include "runtime/model/finding.hpp"

namespace seerflow::model {

struct template_delivery {
  std::uint64_t template_id = 0;
  std::string source;
  std::string text;                 // the template after this batch
  bool created = false;             // the cluster was created in this batch
  bool updated = false;             // its template text changed in this batch
  std::vector<std::int64_t> times;  // event time of each event of the batch in this template
  std::string example;              // one message of this batch, for inspection
  // Templates the miner merged into this one in this batch (their events now arrive here).
  std::vector<std::uint64_t> absorbed;
};

struct entity_observation {
  std::int64_t time_ns = 0;
  std::uint64_t seq = 0;  // the event's sequence number in its source
  std::uint64_t template_id = 0;
};

inline constexpr unsigned batch_seq_bits = 40;
inline constexpr std::uint64_t batch_number(std::uint64_t node_tag, std::uint64_t seq) {
  return (node_tag << batch_seq_bits) | (seq & ((std::uint64_t{1} << batch_seq_bits) - 1));
}
inline constexpr std::uint64_t batch_node_tag(std::uint64_t batch) {
  return batch >> batch_seq_bits;
}

struct entity_delivery {
  entity_ref entity;
  std::string source;
  std::vector<entity_observation> observations;  // in input order
  // What this batch's alerts say about the entity, in the order they were raised; a delivery
  // may carry findings without observations.
  std::vector<finding> findings;
  // Correlation matches whose group is this entity, in input order.
  std::vector<correlation_observation> correlations;
  // The source's number of the batch: its ingest sequence number in the low batch_seq_bits, and
  // in the bits above them a tag of the node it was ingested on (0 outside a cluster), since a
  // source of one name runs on every node and each counts its own batches.
  std::uint64_t batch = 0;
  // Keys of the entities (each the group of correlation matches on an event naming this one)
  // whose verdict on this batch comes before this delivery's findings are applied
  // (runtime/correlate/held_findings.hpp). Only a delivery with findings waits: one without
  // has nothing a verdict could come after.
  std::vector<std::uint64_t> awaiting;
  // The other way round, on the delivery of a group entity: the entities that wait for its
  // verdict on this batch (it sends each one, empty when nothing fired).
  std::vector<std::uint64_t> verdict_to;
  // Nonzero: this delivery is the verdict of that entity on `batch`: the findings about this
  // entity of the correlations it evaluated, possibly none.
  std::uint64_t verdict_of = 0;
};

}  // namespace seerflow::model
