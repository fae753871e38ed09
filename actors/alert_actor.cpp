#include "actors/alert_actor.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "actors/exception_handler.hpp"
#include "messages/inspect.hpp"
#include "runtime/config/sink_tree.hpp"
#include "runtime/output/ndjson.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

namespace {

using self_ptr = alert_actor::stateful_pointer<alert_actor_state>;

// A repeat inside its key's window (in event time, either side of the first) is counted on the
// first alert: the kept copy's count grows, and the store gets the first id again, which it
// counts (alerts.dedup_count). Returns true when `a` was folded.
bool fold_repeat(self_ptr self, const model::alert& a, const notify::dedup_table::result& r) {
  auto& s = self->state;
  if (!r.repeat) return false;
  ++s.suppressed;
  s.suppressed_counter->add();
  if (r.w->tagged) {
    auto& first = s.kept[r.w->tag];
    ++first.count;
    first.last_time_ns = std::max(first.last_time_ns, a.time_ns);
  }
  if (s.ctx->mode == system::run_mode::serve) {
    if (auto store = s.ctx->registry->lookup<store_actor>("store")) {
      auto again = a;
      again.id = r.w->id;
      self->send(store, alert_atom::value, std::vector<model::alert>{std::move(again)});
    }
  }
  return true;
}

// Every sink gets every new alert and filters it itself; a sink that is restarting misses it,
// which is logged and counted (its queue in SQLite keeps what it had already accepted).
void forward_to_sinks(self_ptr self, const model::alert& a) {
  auto& s = self->state;
  for (const auto& name : s.sink_names) {
    if (auto sink = s.ctx->registry->lookup<alert_sink_actor>(name)) {
      self->send(sink, a);
    } else {
      ++s.sink_missing;
      log::warn("alert", "sink actor ", name, " is not running; alert ", a.id, " not sent to it");
    }
  }
}

// One readable block per alert in the process log: for an anomaly its score, threshold and
// direction, then the template, the message and the entities; for a rule its title and tactics.
void log_alert(const model::alert& a) {
  const auto details = nlohmann::json::parse(a.details_json, nullptr, false);
  const auto get = [&](const char* k) {
    return details.is_object() && details.contains(k) ? details[k] : nlohmann::json();
  };
  std::string ents;
  for (const auto& e : a.entities)
    ents += (ents.empty() ? "" : ", ") + std::string(model::to_string(e.type)) + ":" + e.value;
  if (a.kind == "anomaly") {
    char head[160];
    std::snprintf(head, sizeof head, "ANOMALY [%s] score=%.3f threshold=%.3f dir=%s",
                  a.source.c_str(), get("score").is_number() ? get("score").get<double>() : 0.0,
                  get("threshold").is_number() ? get("threshold").get<double>() : 0.0,
                  get("direction").is_string() ? get("direction").get<std::string>().c_str() : "");
    log::warn("alert", head, "\n  template: ",
              get("template").is_string() ? get("template").get<std::string>() : "",
              "\n  message:  ", get("message").is_string() ? get("message").get<std::string>() : "",
              "\n  entities: ", ents);
    return;
  }
  std::string tactics;
  for (const auto& t : a.tactics) tactics += (tactics.empty() ? "" : ",") + t;
  log::warn("alert", a.severity, " ", a.kind, " [", a.source, "] ", a.title,
            tactics.empty() ? "" : " [" + tactics + "]", "\n  entities: ", ents);
}

}  // namespace

alert_actor::behavior_type alert_actor_impl(alert_actor::stateful_pointer<alert_actor_state> self,
                                            system::node_context* ctx) {
  install_exception_handler(self, "alerts");
  self->state.ctx = ctx;
  self->state.counter = &ctx->metrics->get_counter("alerts_raised");
  self->state.suppressed_counter = &ctx->metrics->get_counter("alerts_suppressed");
  self->state.dedup =
      std::make_unique<notify::dedup_table>(notify::dedup_policy::from(ctx->cfg->alerts));
  for (const auto& k : ctx->cfg->alerts.sinks)
    self->state.sink_names.push_back(config::sink_actor_name(k.name));
  return {
      [=](model::alert& a) {
        auto& s = self->state;
        ++s.received;
        if (a.last_time_ns == 0) a.last_time_ns = a.time_ns;
        if (a.dedup_key.empty()) a.dedup_key = s.dedup->policy().key_of(a);
        const auto window = s.dedup->observe(a);
        if (fold_repeat(self, a, window)) return;
        s.counter->add();
        if (s.ctx->mode == system::run_mode::serve) {
          log_alert(a);
          if (auto store = s.ctx->registry->lookup<store_actor>("store"))
            self->send(store, alert_atom::value, std::vector<model::alert>{a});
          else
            log::error("alert", "no store to keep alert ", a.id, " in");
          forward_to_sinks(self, a);
        }
        if (s.kept.size() < s.max_kept) {
          // The window `a` just opened (its first alert) points at the kept copy.
          if (window.w != nullptr) {
            window.w->tag = s.kept.size();
            window.w->tagged = true;
          }
          s.kept.push_back(std::move(a));
        } else {
          ++s.not_kept;
        }
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
                              {"not_kept", self->state.not_kept},
                              {"suppressed", self->state.suppressed},
                              {"sink_missing", self->state.sink_missing},
                              {"sinks", self->state.sink_names},
                              {"open_windows", self->state.dedup->open_windows()},
                              {"mailbox", self->mailbox().size()}}
            .dump();
      },
  };
}

}  // namespace seerflow::actors
