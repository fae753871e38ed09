#include "rules/engine/attack_tags.hpp"

#include <algorithm>

namespace seerflow::rules {

namespace {

struct tactic {
  std::string_view name, id;
};

// Enterprise ATT&CK tactics, plus the v19 split of defense-evasion used by SigmaHQ since 2026.
constexpr tactic tactics_table[] = {
    {"reconnaissance", "TA0043"},     {"resource-development", "TA0042"},
    {"initial-access", "TA0001"},     {"execution", "TA0002"},
    {"persistence", "TA0003"},        {"privilege-escalation", "TA0004"},
    {"defense-evasion", "TA0005"},    {"stealth", "TA0005"},
    {"defense-impairment", "TA0005"}, {"credential-access", "TA0006"},
    {"discovery", "TA0007"},          {"lateral-movement", "TA0008"},
    {"collection", "TA0009"},         {"command-and-control", "TA0011"},
    {"exfiltration", "TA0010"},       {"impact", "TA0040"},
};

bool is_technique(std::string_view s) {
  // t + 4 digits, optionally . + 3 digits
  if (s.size() != 5 && s.size() != 9) return false;
  if (s[0] != 't' && s[0] != 'T') return false;
  for (std::size_t i = 1; i < 5; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  if (s.size() == 9) {
    if (s[5] != '.') return false;
    for (std::size_t i = 6; i < 9; ++i)
      if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

}  // namespace

std::string_view tactic_id(std::string_view name) {
  std::string n(name);
  std::replace(n.begin(), n.end(), '_', '-');
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  for (const auto& t : tactics_table)
    if (t.name == n) return t.id;
  return {};
}

attack_mapping map_attack_tags(const std::vector<std::string>& tags) {
  attack_mapping m;
  auto add = [](std::vector<std::string>& v, std::string s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
  };
  for (const auto& tag : tags) {
    std::string_view t = tag;
    if (t.size() < 8 || (t.substr(0, 7) != "attack." && t.substr(0, 7) != "ATTACK.")) continue;
    std::string_view rest = t.substr(7);
    if (is_technique(rest)) {
      std::string id(rest);
      id[0] = 'T';
      add(m.techniques, std::move(id));
      continue;
    }
    if (const auto id = tactic_id(rest); !id.empty()) {
      std::string name(rest);
      std::replace(name.begin(), name.end(), '_', '-');
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      });
      if (std::find(m.tactics.begin(), m.tactics.end(), name) == m.tactics.end()) {
        m.tactics.push_back(std::move(name));
        m.tactic_ids.emplace_back(id);
      }
    }
  }
  return m;
}

}  // namespace seerflow::rules
