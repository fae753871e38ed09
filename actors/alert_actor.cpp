#include "actors/alert_actor.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "actors/exception_handler.hpp"
#include "messages/inspect.hpp"
#include "runtime/output/ndjson.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

alert_actor::behavior_type alert_actor_impl(alert_actor::stateful_pointer<alert_actor_state> self,
                                            system::node_context* ctx) {
  install_exception_handler(self, "alerts");
  self->state.ctx = ctx;
  self->state.counter = &ctx->metrics->get_counter("alerts_raised");
  return {
      [=](model::alert& a) {
        auto& s = self->state;
        ++s.received;
        s.counter->add();
        if (s.ctx->mode == system::run_mode::serve) {
          log::warn("alert", a.severity, " ", a.kind, " ", a.title, " ", output::alert_line(a));
          if (auto store = s.ctx->registry->lookup<store_actor>("store"))
            self->send(store, alert_atom::value, std::vector<model::alert>{a});
          else
            log::error("alert", "no store to keep alert ", a.id, " in");
        }
        if (s.kept.size() < s.max_kept)
          s.kept.push_back(std::move(a));
        else
          ++s.not_kept;
      },
      [=](alerts_atom) -> std::vector<model::alert> {
        auto out = self->state.kept;
        std::stable_sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
          return x.time_ns != y.time_ns ? x.time_ns < y.time_ns : x.id < y.id;
        });
        return out;
      },
      [=](shutdown_atom) { self->quit(); },
      [=](inspect_atom) -> std::string {
        return nlohmann::json{{"received", self->state.received},
                              {"kept", self->state.kept.size()},
                              {"not_kept", self->state.not_kept}}
            .dump();
      },
  };
}

}  // namespace seerflow::actors
