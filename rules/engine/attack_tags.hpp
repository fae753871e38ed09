#pragma once
// MITRE ATT&CK tags of a Sigma rule: `attack.t1059.004` techniques and tactic names
// (`attack.credential-access`, legacy `attack.credential_access`) normalised to the hyphenated
// name and the tactic id (TA0006), so alerts and the kill chain speak one vocabulary.
#include <string>
#include <string_view>
#include <vector>

namespace seerflow::rules {

struct attack_mapping {
  std::vector<std::string> techniques;  // "T1059.004", in tag order, no duplicates
  std::vector<std::string> tactics;     // "credential-access"
  std::vector<std::string> tactic_ids;  // "TA0006" (empty string for an unknown tactic name)
};

attack_mapping map_attack_tags(const std::vector<std::string>& tags);

// "credential-access" / "credential_access" -> "TA0006"; empty when not an ATT&CK tactic.
std::string_view tactic_id(std::string_view name);

}  // namespace seerflow::rules
