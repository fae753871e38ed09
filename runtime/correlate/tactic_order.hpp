#pragma once
// The MITRE ATT&CK enterprise tactics in kill-chain order (reconnaissance first, impact last),
// so a kill-chain alert reads as the attack unfolded rather than in the order clues arrived.
#include <cstddef>
#include <string_view>

namespace seerflow::correlate {

// Position of a tactic short name ("credential-access") in the kill chain. Names ATT&CK does not
// know sort after all known ones (the caller breaks ties by name).
std::size_t tactic_rank(std::string_view tactic);

}  // namespace seerflow::correlate
