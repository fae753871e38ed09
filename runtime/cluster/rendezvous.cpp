#include "runtime/cluster/rendezvous.hpp"

#include <algorithm>

#include "runtime/util/hash.hpp"

namespace seerflow::cluster {

void rendezvous::assign(std::vector<std::string> members) {
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  members_ = std::move(members);
  hashes_.clear();
  for (const auto& m : members_) hashes_.push_back(member_hash(m));
}

std::uint64_t rendezvous::member_hash(const std::string& member) {
  return util::mix64(util::fnv1a64(member));
}

std::uint64_t rendezvous::weight(std::uint64_t member_hash, std::uint64_t key) {
  // Two rounds of the SplitMix finaliser: keys are often small or sequential, and one round
  // leaves the weights of neighbouring members correlated.
  return util::mix64(util::mix64(key ^ member_hash) + member_hash);
}

std::size_t rendezvous::owner_index(std::uint64_t key) const {
  std::size_t best = 0;
  std::uint64_t best_w = 0;
  for (std::size_t i = 0; i < hashes_.size(); ++i) {
    const auto w = weight(hashes_[i], key);
    // Ties (practically never) go to the smaller name, so every node agrees.
    if (i == 0 || w > best_w) {
      best = i;
      best_w = w;
    }
  }
  return best;
}

}  // namespace seerflow::cluster
