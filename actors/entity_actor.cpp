#include "actors/entity_actor.hpp"

#include "messages/inspect.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

namespace {

using self_ptr = entity_actor::stateful_pointer<entity_actor_state>;

// Risk and kill-chain alerts go to the alert actor before this message (and so its credit) is
// done: `analyze` collects alerts once every credit is back, and finds these among them.
void raise(self_ptr self, const entity_actor_options& opts) {
  auto& raised = self->state.raised;
  if (raised.empty()) return;
  alert_actor target;
  if (opts.ctx && opts.ctx->registry) target = opts.ctx->registry->lookup<alert_actor>("alerts");
  if (!target) {
    log::error("entity", raised.size(), " correlation alerts about ", self->state.st->ref().value,
               " and no alert actor");
    if (opts.lost_alerts) opts.lost_alerts->add(raised.size());
    raised.clear();
    return;
  }
  for (auto& a : raised) self->send(target, std::move(a));
  raised.clear();
}

}  // namespace

entity_actor::behavior_type entity_actor_impl(self_ptr self, model::entity_ref ref,
                                              entity_actor_options opts, std::string snapshot) {
  if (!snapshot.empty())
    self->state.st = state::entity_state::restore(snapshot, opts.window, opts.correlation);
  if (!self->state.st) {
    if (!snapshot.empty())
      log::warn("entity", "snapshot of ", ref.value, " is unreadable; starting from empty state");
    self->state.st.emplace(std::move(ref), opts.window, opts.correlation);
  }
  return {
      [=](const entity_message& m) {
        auto& st = *self->state.st;
        const auto late_before = st.late_count();
        st.observe(m.delivery.observations);
        if (opts.late_observations && st.late_count() > late_before)
          opts.late_observations->add(st.late_count() - late_before);
        if (m.delivery.findings.empty()) return;
        const auto late = st.correlate(m.delivery.source, m.delivery.findings, self->state.raised);
        if (late && opts.late_findings) opts.late_findings->add(late);
        raise(self, opts);
      },
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
