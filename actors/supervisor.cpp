#include "actors/supervisor.hpp"

#include <nlohmann/json.hpp>

#include "messages/atoms.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

using namespace seerflow::messages;

caf::error escalation_error(const std::string& supervisor) {
  return caf::make_error(caf::sec::runtime_error,
                         "supervisor '" + supervisor + "' exceeded its restart intensity");
}

namespace {

using self_ptr = caf::stateful_actor<supervisor_state>*;
using child = supervisor_state::child;
using phase = supervisor_state::phase;

constexpr auto child_shutdown_timeout = std::chrono::seconds(60);

const std::string& my_name(self_ptr self) {
  return self->state.spec->name;
}

bool any_running(self_ptr self) {
  for (const auto& c : self->state.children)
    if (c.running) return true;
  return false;
}

void child_failed(self_ptr self, std::size_t idx, const caf::error& reason);

void start_child(self_ptr self, std::size_t idx) {
  auto& st = self->state;
  auto& c = st.children[idx];
  caf::actor handle;
  std::string failure;
  try {
    if (c.spec->kind == "supervisor") {
      handle = self->spawn(supervisor_impl, st.ctx, st.cat, c.spec, my_name(self));
    } else if (const auto* k = st.cat->find(c.spec->kind)) {
      handle = k->spawn(spawn_env{st.ctx, c.spec, self});
    } else {
      failure = "unknown actor kind '" + c.spec->kind + "'";
    }
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!handle) {
    if (failure.empty()) failure = "spawn returned no actor";
    log::error("supervisor", my_name(self), ": cannot start '", c.spec->name, "': ", failure);
    c.running = false;
    child_failed(self, idx, caf::make_error(caf::sec::runtime_error, failure));
    return;
  }
  self->monitor(handle);
  st.live->add(handle);
  c.handle = handle;
  c.running = true;
  c.stopping = false;
  if (st.ctx && st.ctx->registry) {
    st.ctx->registry->put(
        {c.spec->name, c.spec->kind, my_name(self), st.ctx->cfg ? st.ctx->cfg->node_name : ""},
        handle);
  }
}

void finish_restart_if_ready(self_ptr self) {
  auto& st = self->state;
  for (const auto& c : st.children)
    if (c.stopping) return;
  auto set = std::move(st.restart_set);
  st.restart_set.clear();
  st.ph = phase::running;
  for (auto i : set) {
    ++st.children[i].restarts;
    start_child(self, i);
  }
}

void stop_child(self_ptr self, child& c, caf::exit_reason reason) {
  if (!c.running || c.stopping) return;
  c.stopping = true;
  self->send_exit(c.handle, reason);
}

void give_up(self_ptr self) {
  auto& st = self->state;
  st.ph = phase::giving_up;
  log::error("supervisor", my_name(self), ": more than ", st.spec->max_restarts,
             " restarts within ", st.spec->within_ms, " ms; giving up and escalating");
  for (auto& c : st.children) stop_child(self, c, caf::exit_reason::user_shutdown);
  if (!any_running(self)) self->quit(escalation_error(my_name(self)));
}

void child_failed(self_ptr self, std::size_t idx, const caf::error& reason) {
  auto& st = self->state;
  auto& c = st.children[idx];
  const bool abnormal = reason && reason != caf::exit_reason::normal;
  if (c.spec->restart == "temporary" || (c.spec->restart == "transient" && !abnormal)) {
    c.finished = true;
    log::info("supervisor", my_name(self), ": '", c.spec->name, "' ended (", caf::to_string(reason),
              "); restart policy ", c.spec->restart, " keeps it stopped");
    return;
  }
  if (!st.budget.allow(self->clock().now())) {
    give_up(self);
    return;
  }
  ++st.total_restarts;
  log::warn("supervisor", my_name(self), ": '", c.spec->name, "' exited (", caf::to_string(reason),
            "); restarting (", st.spec->strategy, ")");
  if (st.spec->strategy == "one_for_one") {
    ++c.restarts;
    start_child(self, idx);
    return;
  }
  const std::size_t first = st.spec->strategy == "one_for_all" ? 0 : idx;
  st.restart_set.clear();
  for (std::size_t i = first; i < st.children.size(); ++i) {
    if (st.children[i].finished) continue;
    st.restart_set.push_back(i);
    if (i != idx) stop_child(self, st.children[i], caf::exit_reason::user_shutdown);
  }
  st.ph = phase::restarting;
  finish_restart_if_ready(self);
}

// Ordered shutdown: the newest running child first, the next only after it has exited.
void continue_shutdown(self_ptr self) {
  auto& st = self->state;
  for (std::size_t i = st.children.size(); i-- > 0;) {
    auto& c = st.children[i];
    if (!c.running) continue;
    if (!c.stopping) {
      c.stopping = true;
      self->send(c.handle, shutdown_atom::value);
      self->delayed_send(self, child_shutdown_timeout, shutdown_atom::value,
                         static_cast<std::uint64_t>(i));
    }
    return;
  }
  self->quit();
}

std::size_t child_index(self_ptr self, const caf::actor_addr& who) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.children.size(); ++i)
    if (st.children[i].handle && st.children[i].handle.address() == who) return i;
  return st.children.size();
}

void on_down(self_ptr self, caf::down_msg& msg) {
  auto& st = self->state;
  const std::size_t idx = child_index(self, msg.source);
  if (idx == st.children.size()) return;
  st.live->remove(msg.source);
  auto& c = st.children[idx];
  if (st.ctx && st.ctx->registry) st.ctx->registry->erase(c.spec->name, c.handle);
  const bool requested = c.stopping;
  c.running = false;
  c.stopping = false;
  c.handle = nullptr;
  switch (st.ph) {
    case phase::shutting_down:
      continue_shutdown(self);
      return;
    case phase::giving_up:
      if (!any_running(self)) self->quit(escalation_error(my_name(self)));
      return;
    case phase::restarting:
      if (!requested) {
        // Another child failed while we were restarting: it counts against the intensity too.
        if (!st.budget.allow(self->clock().now())) {
          give_up(self);
          return;
        }
        bool queued = false;
        for (auto i : st.restart_set) queued |= i == idx;
        if (!queued) {
          st.restart_set.push_back(idx);
          std::sort(st.restart_set.begin(), st.restart_set.end());
        }
      }
      finish_restart_if_ready(self);
      return;
    case phase::running:
      if (requested) return;  // e.g. stopped by an operator's restart that already restarted it
      child_failed(self, idx, msg.reason);
      return;
  }
}

nlohmann::ordered_json describe(self_ptr self) {
  auto& st = self->state;
  nlohmann::ordered_json j;
  j["name"] = my_name(self);
  j["kind"] = "supervisor";
  j["strategy"] = st.spec->strategy;
  j["max_restarts"] = st.spec->max_restarts;
  j["within_ms"] = st.spec->within_ms;
  j["restarts_in_window"] = st.budget.recent();
  j["total_restarts"] = st.total_restarts;
  auto kids = nlohmann::json::array();
  for (const auto& c : st.children) {
    kids.push_back({{"name", c.spec->name},
                    {"kind", c.spec->kind},
                    {"restart", c.spec->restart},
                    {"running", c.running},
                    {"restarts", c.restarts}});
  }
  j["children"] = std::move(kids);
  return j;
}

}  // namespace

caf::behavior supervisor_impl(caf::stateful_actor<supervisor_state>* self,
                              system::node_context* ctx, const catalog* cat,
                              const config::tree_node* spec, std::string parent) {
  auto& st = self->state;
  st.ctx = ctx;
  st.cat = cat;
  st.spec = spec;
  st.parent = std::move(parent);
  st.budget =
      system::restart_budget(spec->max_restarts, std::chrono::milliseconds(spec->within_ms));
  for (const auto& node : spec->children) st.children.push_back(child{&node});
  st.live = child_set::attach_to(self);
  self->set_down_handler([=](caf::down_msg& msg) { on_down(self, msg); });
  for (std::size_t i = 0; i < st.children.size() && st.ph == phase::running; ++i) {
    if (!st.children[i].running && !st.children[i].finished) start_child(self, i);
  }
  return {
      [=](shutdown_atom) {
        if (self->state.ph == phase::shutting_down) return;
        self->state.ph = phase::shutting_down;
        self->state.restart_set.clear();
        continue_shutdown(self);
      },
      [=](shutdown_atom, std::uint64_t idx) {
        // A child did not finish its ordered shutdown in time: stop it hard.
        auto& st2 = self->state;
        if (idx < st2.children.size() && st2.children[idx].running && st2.children[idx].stopping) {
          log::warn("supervisor", my_name(self), ": '", st2.children[idx].spec->name,
                    "' did not stop within ", child_shutdown_timeout.count(), " s; killing it");
          self->send_exit(st2.children[idx].handle, caf::exit_reason::kill);
        }
      },
      [=](restart_atom, const std::string& name) -> std::string {
        for (auto& c : self->state.children) {
          if (c.spec->name == name && c.running) {
            log::warn("supervisor", my_name(self), ": restart of '", name, "' requested");
            self->send_exit(c.handle, caf::exit_reason::kill);
            return "restarting";
          }
        }
        return "no running child named '" + name + "'";
      },
      [=](children_atom) -> std::string { return describe(self)["children"].dump(); },
      [=](inspect_atom) -> std::string {
        auto j = describe(self);
        j["mailbox"] = self->mailbox().size();
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
