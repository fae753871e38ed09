#pragma once
// The template actor: owns one template's statistics (runtime/state/template_state.hpp).
#include <cstdint>
#include <optional>
#include <string>

#include "actors/actors.hpp"
#include "runtime/state/template_state.hpp"

namespace seerflow::actors {

struct template_actor_state {
  std::optional<state::template_state> st;
  static inline const char* name = "template";
};

template_actor::behavior_type template_actor_impl(
    template_actor::stateful_pointer<template_actor_state> self, std::uint64_t id,
    std::string snapshot);

}  // namespace seerflow::actors
