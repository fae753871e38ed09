#pragma once
// The data messages of the event path. Each carries the credit token of the receiver batch it
// came from (runtime/ingest/credit_gate.hpp): the credit returns when the last of them is done.
#include <string>
#include <vector>

#include "runtime/ingest/credit_gate.hpp"
#include "runtime/model/alert.hpp"
#include "runtime/model/deliveries.hpp"
#include "runtime/model/edge_observation.hpp"
#include "runtime/model/event.hpp"
#include "runtime/model/raw_record.hpp"

namespace seerflow::messages {

// source -> sinks (store, analyze printer): the decoded batch, events in input order.
struct event_batch {
  std::string source;
  std::vector<model::event> events;
  std::vector<model::rejected_record> rejected;
  ingest::credit_token credit;
  // The receiver's commit hook (model/commit_hook.hpp), held by the sinks until they have
  // committed; only sinks hold it, so it runs when the events are stored. Never serialized.
  std::shared_ptr<model::commit_hook> committed;
  // The file tailer's read positions (raw_batch::tail): the store writes them with the events.
  // Never serialized.
  std::shared_ptr<const model::tail_offsets> tail;
};

// source -> directory: one delivery per template and per entity touched by the batch.
struct routed_batch {
  std::vector<model::template_delivery> templates;
  std::vector<model::entity_delivery> entities;
  ingest::credit_token credit;
};

// directory -> template actor
struct template_message {
  model::template_delivery delivery;
  ingest::credit_token credit;
};

// directory -> entity actor
struct entity_message {
  model::entity_delivery delivery;
  ingest::credit_token credit;
};

}  // namespace seerflow::messages
