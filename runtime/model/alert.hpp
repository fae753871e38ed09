#pragma once
// One alert model for every detector (ML, Sigma, correlation, risk, kill chain, graph).
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/model/entity.hpp"

namespace seerflow::model {

struct alert {
  std::string id;        // deterministic: derived from kind, rule, entity and time
  std::string kind;      // "anomaly", "sigma", "correlation", "risk", "kill_chain", ...
  std::string severity;  // "low", "medium", "high", "critical"
  std::string rule;      // rule id or detector name
  std::string title;
  std::string source;
  std::int64_t time_ns = 0;               // event time of the triggering event
  std::vector<std::uint64_t> event_seqs;  // contributing events (source-local sequence numbers)
  std::vector<entity_ref> entities;
  std::string details_json;  // detector-specific facts as a JSON object
  // ATT&CK, normalised: tactics as their short names ("credential-access"), techniques as ids
  // ("T1110.001"); empty for alerts that carry none.
  std::vector<std::string> tactics, techniques;
  // Repeats of one key inside the dedup window are counted on the first alert, not sent again.
  // Empty: kind + rule + first entity.
  std::string dedup_key;
  // Occurrences folded into this alert by the dedup window (1: itself only), and the event
  // time of the latest one.
  std::uint64_t count = 1;
  std::int64_t last_time_ns = 0;
};

}  // namespace seerflow::model
