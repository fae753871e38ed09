#pragma once
// "Which alerts fired for web-prod-01?": alerts by time, kind, ATT&CK tactic or technique,
// rule, entity and severity, newest first.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace seerflow::store {
class sqlite_db;
}  // namespace seerflow::store

namespace seerflow::query {

struct alert_filter {
  std::optional<std::int64_t> since_ns, until_ns;
  std::string kind;          // anomaly, sigma, correlation, risk, kill_chain, graph
  std::string tactic;        // "credential-access", "credential_access" or "Credential Access"
  std::string technique;     // "T1110" also matches its sub-techniques ("T1110.001")
  std::string rule;          // rule id or detector name
  std::string entity;        // entity value, optionally typed ("ip:203.0.113.7")
  std::string min_severity;  // low, medium, high, critical: this or more severe
  std::size_t limit = 100;
  bool oldest_first = false;
};

struct alert_row {
  std::string id, kind, severity, rule, title, source, entities_json, details_json, verdict;
  std::int64_t time_ns = 0, last_time_ns = 0, dedup_count = 1;
  std::vector<std::string> tactics, techniques;
};

// Throws query_error for an unknown severity.
std::size_t for_each_alert(const store::sqlite_db& db, const alert_filter& f,
                           const std::function<bool(const alert_row&)>& on_row);

// The normal forms the store keeps: "credential-access", "T1110.001".
std::string normalise_tactic(std::string_view text);
std::string normalise_technique(std::string_view text);

}  // namespace seerflow::query
