#include "runtime/correlate/tactic_order.hpp"

#include <array>

namespace seerflow::correlate {

namespace {

struct ranked {
  std::string_view name;
  std::size_t rank;
};

// Enterprise ATT&CK, TA0043 .. TA0040 in matrix order. "stealth" and "defense-impairment" are
// SigmaHQ's names for the two halves of defense-evasion and share its place.
constexpr std::array<ranked, 16> order{{
    {"reconnaissance", 0},
    {"resource-development", 1},
    {"initial-access", 2},
    {"execution", 3},
    {"persistence", 4},
    {"privilege-escalation", 5},
    {"defense-evasion", 6},
    {"stealth", 6},
    {"defense-impairment", 6},
    {"credential-access", 7},
    {"discovery", 8},
    {"lateral-movement", 9},
    {"collection", 10},
    {"command-and-control", 11},
    {"exfiltration", 12},
    {"impact", 13},
}};

}  // namespace

std::size_t tactic_rank(std::string_view tactic) {
  for (const auto& t : order)
    if (t.name == tactic) return t.rank;
  return order.back().rank + 1;
}

}  // namespace seerflow::correlate
