#pragma once
// Shared by the detector tests: every detector must refuse damaged snapshots, never crash on them.
#include <cstdint>
#include <random>
#include <string>

namespace seerflow::detect::testing {

// Calls accept(bytes) for every strict prefix of `good` (each must be refused), then for random
// garbage behind the first `keep` bytes of `good` and for single flipped bits (which must not
// crash; accept() may return either, but an accepted state must stay usable).
template <class Accept>
void hostile_inputs(const std::string& good, std::size_t keep, Accept&& accept,
                    bool& any_prefix_accepted) {
  any_prefix_accepted = false;
  for (std::size_t n = 0; n < good.size(); n += 1 + n / 64)
    if (accept(good.substr(0, n))) any_prefix_accepted = true;
  std::mt19937_64 rng(7);
  for (int k = 0; k < 200; ++k) {
    std::string g = good.substr(0, std::min(keep, good.size()));
    const std::size_t len = rng() % 256;
    for (std::size_t i = 0; i < len; ++i) g.push_back(static_cast<char>(rng()));
    (void)accept(g);
  }
  for (int k = 0; k < 200 && !good.empty(); ++k) {
    std::string g = good;
    g[rng() % g.size()] ^= static_cast<char>(1u << (rng() % 8));
    (void)accept(g);
  }
}

}  // namespace seerflow::detect::testing
