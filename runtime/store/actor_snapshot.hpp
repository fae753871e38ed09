#pragma once
// The snapshot of one entity or template actor as the store keeps it: the bytes the actor
// produces for passivation and hand-over (actors/entity_actor.hpp, state/template_state.hpp),
// written by the cluster node that owns the id, so that the survivors of a node that died
// can take its ids over with their state (actors/directory_actor.hpp).
#include <cstdint>
#include <string>
#include <vector>

namespace seerflow::store {

struct actor_snapshot {
  bool entity = false;  // an entity actor's (else a template actor's)
  std::uint64_t key = 0;
  std::string bytes;
};

// The last snapshot of each (kind, key) in `in`, in input order of those last ones: a write of
// a batch holds one row per id (a later snapshot of an id replaces an earlier one).
std::vector<const actor_snapshot*> latest_per_id(const std::vector<actor_snapshot>& in);

}  // namespace seerflow::store
