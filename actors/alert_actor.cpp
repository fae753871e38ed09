#include "actors/alert_actor.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "actors/exception_handler.hpp"
#include "messages/inspect.hpp"
#include "runtime/output/ndjson.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

namespace {

using self_ptr = alert_actor::stateful_pointer<alert_actor_state>;

std::string dedup_key_of(const model::alert& a) {
  if (!a.dedup_key.empty()) return a.dedup_key;
  return a.kind + '|' + a.rule + '|' + (a.entities.empty() ? a.source : a.entities.front().value);
}

// A repeat inside its key's window (in event time, either side of the first) is counted on the
// first alert: the kept copy's count grows, and the store gets the first id again, which it
// counts (alerts.dedup_count). Returns true when `a` was folded.
bool fold_repeat(self_ptr self, const model::alert& a) {
  auto& s = self->state;
  const std::int64_t window = s.ctx->cfg->alerts.dedup_window_ms * 1'000'000;
  if (window <= 0) return false;
  s.newest_ns = std::max(s.newest_ns, a.time_ns);
  // Windows that closed long ago are forgotten, so the map stays bounded by the keys active in
  // one window.
  if (s.windows.size() > 4096 && s.received % 1024 == 0)
    std::erase_if(s.windows,
                  [&](const auto& kv) { return kv.second.first_ns + window < s.newest_ns; });
  const auto key = dedup_key_of(a);
  const auto it = s.windows.find(key);
  const bool repeat = it != s.windows.end() && a.time_ns < it->second.first_ns + window &&
                      a.time_ns > it->second.first_ns - window;
  if (!repeat) {
    s.windows[key] = {a.id, a.time_ns, 0, false};
    return false;
  }
  ++s.suppressed;
  s.suppressed_counter->add();
  if (it->second.is_kept) {
    auto& first = s.kept[it->second.kept_index];
    ++first.count;
    first.last_time_ns = std::max(first.last_time_ns, a.time_ns);
  }
  if (s.ctx->mode == system::run_mode::serve) {
    if (auto store = s.ctx->registry->lookup<store_actor>("store")) {
      auto again = a;
      again.id = it->second.id;
      self->send(store, alert_atom::value, std::vector<model::alert>{std::move(again)});
    }
  }
  return true;
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
  return {
      [=](model::alert& a) {
        auto& s = self->state;
        ++s.received;
        if (a.last_time_ns == 0) a.last_time_ns = a.time_ns;
        if (fold_repeat(self, a)) return;
        s.counter->add();
        if (s.ctx->mode == system::run_mode::serve) {
          log_alert(a);
          if (auto store = s.ctx->registry->lookup<store_actor>("store"))
            self->send(store, alert_atom::value, std::vector<model::alert>{a});
          else
            log::error("alert", "no store to keep alert ", a.id, " in");
        }
        if (s.kept.size() < s.max_kept) {
          if (auto it = s.windows.find(dedup_key_of(a)); it != s.windows.end()) {
            it->second.kept_index = s.kept.size();
            it->second.is_kept = true;
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
                              {"open_windows", self->state.windows.size()},
                              {"mailbox", self->mailbox().size()}}
            .dump();
      },
  };
}

}  // namespace seerflow::actors
