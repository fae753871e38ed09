#include "runtime/store/actor_snapshot.hpp"

#include <algorithm>
#include <unordered_set>

namespace seerflow::store {

std::vector<const actor_snapshot*> latest_per_id(const std::vector<actor_snapshot>& in) {
  std::vector<const actor_snapshot*> out;
  out.reserve(in.size());
  std::unordered_set<std::uint64_t> seen_entities, seen_templates;
  for (auto it = in.rbegin(); it != in.rend(); ++it) {
    auto& seen = it->entity ? seen_entities : seen_templates;
    if (seen.insert(it->key).second) out.push_back(&*it);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace seerflow::store
