#pragma once
// Small graphs whose answers are known by hand, for the graph tests.
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "runtime/graph/graph_view.hpp"
#include "runtime/model/edge_observation.hpp"
#include "runtime/util/hash.hpp"

namespace seerflow::graph::test {

// An entity whose id is derived from its value (tests need distinct, stable ids, not UUID5).
inline model::entity_ref ent(model::entity_type t, const std::string& value) {
  model::entity_ref e;
  e.type = t;
  e.value = value;
  const auto h1 = util::mix64(util::fnv1a64(value) + static_cast<std::uint64_t>(t));
  const auto h2 = util::mix64(h1);
  std::memcpy(e.id.data(), &h1, 8);
  std::memcpy(e.id.data() + 8, &h2, 8);
  return e;
}

inline model::edge_observation obs(const model::entity_ref& a, const model::entity_ref& b,
                                   model::edge_type t, std::int64_t time_ns,
                                   std::uint64_t count = 1) {
  return {a, b, t, time_ns, time_ns, count};
}

// Two 4-cliques {0,1,2,3} and {4,5,6,7} joined by the bridge 3-4.
inline graph_view two_cliques() {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> p;
  for (std::uint32_t base : {0u, 4u})
    for (std::uint32_t i = 0; i < 4; ++i)
      for (std::uint32_t j = i + 1; j < 4; ++j) p.emplace_back(base + i, base + j);
  p.emplace_back(3, 4);
  return view_from_pairs(8, p);
}

inline graph_view star(std::uint32_t leaves) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> p;
  for (std::uint32_t i = 1; i <= leaves; ++i) p.emplace_back(0, i);
  return view_from_pairs(leaves + 1, p);
}

inline graph_view path(std::uint32_t n) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> p;
  for (std::uint32_t i = 0; i + 1 < n; ++i) p.emplace_back(i, i + 1);
  return view_from_pairs(n, p);
}

}  // namespace seerflow::graph::test
