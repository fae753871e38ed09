#include "actors/alert_sink_actor.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "actors/exception_handler.hpp"
#include "messages/inspect.hpp"
#include "runtime/notify/sink_request.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

alert_sink_actor::behavior_type alert_sink_impl(
    alert_sink_actor::stateful_pointer<alert_sink_state> self, system::node_context* ctx,
    std::string sink_name) {
  install_exception_handler(self, "alert_sink");
  const config::sink_settings* sink = nullptr;
  for (const auto& s : ctx->cfg->alerts.sinks)
    if (s.name == sink_name) sink = &s;
  if (sink == nullptr)
    throw std::runtime_error("no sink named '" + sink_name + "' in alerts.sinks");
  notify::engine_options opts;
  opts.db_path = ctx->cfg->storage.path;
  self->state.engine = std::make_unique<notify::delivery_engine>(*sink, opts);
  log::info("sink", sink->name, ": delivering ", sink->type, " alerts of severity ",
            sink->min_severity, " and above");
  return {
      [=](model::alert& a) {
        auto& s = self->state;
        ++s.received;
        if (!notify::sink_accepts(s.engine->sink(), a)) {
          ++s.filtered_out;
          return;
        }
        s.engine->submit(std::move(a));
      },
      // The engine's destructor queues what it was handed and lets in-flight attempts finish.
      [=](shutdown_atom) { self->quit(); },
      [=](inspect_atom) -> std::string {
        const auto& s = self->state;
        const auto& c = s.engine->counters();
        return nlohmann::json{
            {"sink", s.engine->sink().name},   {"type", s.engine->sink().type},
            {"received", s.received},          {"filtered_out", s.filtered_out},
            {"submitted", c.submitted.load()}, {"attempts", c.attempts.load()},
            {"delivered", c.delivered.load()}, {"retried", c.retried.load()},
            {"failed", c.failed.load()},       {"queue_errors", c.queue_errors.load()},
            {"pending", s.engine->pending()},  {"mailbox", self->mailbox().size()}}
            .dump();
      },
  };
}

}  // namespace seerflow::actors
