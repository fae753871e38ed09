#include "actors/template_actor.hpp"

#include "messages/inspect.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

template_actor::behavior_type template_actor_impl(
    template_actor::stateful_pointer<template_actor_state> self, std::uint64_t id,
    std::string snapshot) {
  if (!snapshot.empty()) self->state.st = state::template_state::restore(snapshot);
  if (!self->state.st) {
    if (!snapshot.empty())
      log::warn("template", "snapshot of template ", id, " is unreadable; starting empty");
    self->state.st.emplace(id);
  }
  return {
      [=](const template_message& m) { self->state.st->observe(m.delivery); },
      [=](passivate_atom) -> std::string {
        auto snap = self->state.st->snapshot();
        self->quit();
        return snap;
      },
      [=](snapshot_atom) -> std::string { return self->state.st->snapshot(); },
      [=](shutdown_atom) { self->quit(); },
      [=](inspect_atom) -> std::string { return self->state.st->inspect_json(); },
  };
}

}  // namespace seerflow::actors
