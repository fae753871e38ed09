#include "actors/entity_actor.hpp"

#include "messages/inspect.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

entity_actor::behavior_type entity_actor_impl(
    entity_actor::stateful_pointer<entity_actor_state> self, model::entity_ref ref,
    state::window_options opts, std::string snapshot) {
  if (!snapshot.empty()) self->state.st = state::entity_state::restore(snapshot, opts);
  if (!self->state.st) {
    if (!snapshot.empty())
      log::warn("entity", "snapshot of ", ref.value, " is unreadable; starting from empty state");
    self->state.st.emplace(std::move(ref), opts);
  }
  return {
      [=](const entity_message& m) { self->state.st->observe(m.delivery.observations); },
      [=](passivate_atom) -> std::string {
        auto snap = self->state.st->snapshot();
        self->quit();
        return snap;
      },
      [=](shutdown_atom) { self->quit(); },
      [=](inspect_atom) -> std::string { return self->state.st->inspect_json(); },
  };
}

}  // namespace seerflow::actors
