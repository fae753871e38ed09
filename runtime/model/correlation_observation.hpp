#pragma once
// One match of a Sigma correlation rule's referenced rule whose group belongs to an entity (its
// group-by value is that entity's value): the source actor hands it to the entity's actor with
// the batch, and the entity actor keeps the correlation window, so the matches of one address
// or user from every source meet in one place.
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/model/entity.hpp"

namespace seerflow::model {

struct correlation_observation {
  std::string correlation;                // the correlation rule's key (id, else name, else title)
  std::uint64_t signature = 0;            // of the rule's shape: a changed rule starts over
  std::uint32_t rule_pos = 0;             // which of its referenced rules matched
  std::int64_t time_ns = 0;               // event time of the match
  std::uint64_t seq = 0;                  // the event
  bool has_value = false;                 // value_count: the counted field's value
  std::string value;                      //
  std::vector<std::string> group_values;  // in group-by order
  std::vector<entity_ref> entities;       // the event's entities, for the alert

  friend bool operator==(const correlation_observation&, const correlation_observation&) = default;
};

}  // namespace seerflow::model
