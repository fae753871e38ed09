#pragma once
// A relation between two entities seen in the log: "alice authenticated from 203.0.113.9".
// Sources derive them per batch (runtime/graph/edge_inference.hpp) and the graph actor folds
// them into the entity graph. Plain data: it crosses actor boundaries.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "runtime/model/entity.hpp"

namespace seerflow::model {

// Every type reads "from <type> to": user authenticated_from ip, user logged_into host,
// host has_ip ip, user accessed file, domain resolved_to ip, process spawned_by process.
enum class edge_type : std::uint8_t {
  authenticated_from = 0,
  logged_into,
  has_ip,
  accessed,
  resolved_to,
  spawned_by
};

inline constexpr std::array<std::string_view, 6> edge_type_names{
    "authenticated_from", "logged_into", "has_ip", "accessed", "resolved_to", "spawned_by"};

constexpr std::string_view to_string(edge_type t) {
  return edge_type_names[static_cast<std::size_t>(t)];
}

constexpr std::optional<edge_type> edge_type_from(std::string_view s) {
  for (std::size_t i = 0; i < edge_type_names.size(); ++i)
    if (edge_type_names[i] == s) return static_cast<edge_type>(i);
  return std::nullopt;
}

// One (from, to, type) of one batch: how often and between which event times it was seen.
struct edge_observation {
  entity_ref from, to;
  edge_type type = edge_type::authenticated_from;
  std::int64_t first_ns = 0, last_ns = 0;
  std::uint64_t count = 0;
};

}  // namespace seerflow::model
