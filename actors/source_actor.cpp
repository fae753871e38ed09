#include "actors/source_actor.hpp"

#include <nlohmann/json.hpp>

#include "actors/exception_handler.hpp"
#include "messages/inspect.hpp"
#include "runtime/parse/timestamp.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

namespace {

using self_ptr = source_actor::stateful_pointer<source_actor_state>;
constexpr auto snapshot_interval = std::chrono::seconds(10);
// Every n-th snapshot also goes to the store (the vault copy is cheap, a store write is not).
constexpr std::uint64_t store_every = 6;
constexpr auto stalled_retry = std::chrono::milliseconds(100);

std::string vault_key(const std::string& name) {
  return "source/" + name;
}

// Sends what waits for a target that is registered again; keeps order per source.
void flush_stalled(self_ptr self) {
  auto& st = self->state;
  auto* reg = st.ctx->registry;
  while (!st.stalled.empty()) {
    auto& m = st.stalled.front();
    if (m.to_directory) {
      auto dir = reg->lookup<directory_actor>(m.target);
      if (!dir) break;
      self->send(dir, std::move(m.routed));
    } else {
      auto sink = reg->lookup<sink_actor>(m.target);
      if (!sink) break;
      self->send(sink, std::move(m.events));
    }
    st.stalled.pop_front();
  }
  if (!st.stalled.empty() && !st.retry_scheduled) {
    st.retry_scheduled = true;
    self->delayed_send(self, stalled_retry, retry_atom::value);
  }
}

void send_or_stall(self_ptr self, const std::string& target, event_batch b) {
  auto& st = self->state;
  if (st.stalled.empty()) {
    if (auto sink = st.ctx->registry->lookup<sink_actor>(target)) {
      self->send(sink, std::move(b));
      return;
    }
    log::warn("source", st.source_name, ": sink '", target,
              "' is not running; holding batches for it");
  }
  st.stalled.push_back({target, false, std::move(b), {}});
  flush_stalled(self);
}

void route_or_stall(self_ptr self, routed_batch b) {
  auto& st = self->state;
  if (st.stalled.empty()) {
    if (auto dir = st.ctx->registry->lookup<directory_actor>(st.directory)) {
      self->send(dir, std::move(b));
      return;
    }
    log::warn("source", st.source_name, ": directory '", st.directory,
              "' is not running; holding batches for it");
  }
  st.stalled.push_back({st.directory, true, {}, std::move(b)});
  flush_stalled(self);
}

// Keeps the model state where the next incarnation finds it: the registry vault (survives an
// actor crash) and the store (survives a process restart).
void stash(self_ptr self, bool to_store) {
  auto& st = self->state;
  auto snap = st.pipeline->snapshot();
  if (to_store)
    if (auto store = st.ctx->registry->lookup<store_actor>("store"))
      self->send(store, snapshot_atom::value, vault_key(st.source_name), snap);
  st.ctx->registry->stash(vault_key(st.source_name), std::move(snap));
}

void restore_from(self_ptr self, const std::string& snap, const char* where) {
  auto& st = self->state;
  if (snap.empty()) return;
  if (st.pipeline->restore(snap)) {
    st.pipeline->continue_after(st.handoff->last_event_seq());
    log::info("source", st.source_name, ": restored model state from ", where, " (",
              st.pipeline->template_count(), " templates)");
  } else {
    log::warn("source", st.source_name, ": model state in ", where,
              " is unreadable; starting with empty state");
  }
}

}  // namespace

parse::source_pipeline_options pipeline_options_from(const config::settings& cfg,
                                                     const std::string& source, bool replay,
                                                     std::optional<int> first_year) {
  parse::source_pipeline_options o;
  o.source = source;
  parse::parse_zone_spec(cfg.parse.timezone, o.decode.time);
  o.decode.reject_invalid_utf8 = cfg.parse.invalid_utf8 == "reject";
  o.decode.max_message = cfg.parse.max_message;
  o.drain.depth = cfg.drain.depth;
  o.drain.similarity = cfg.drain.similarity;
  o.drain.max_children = cfg.drain.max_children;
  o.drain.max_clusters = cfg.drain.max_clusters;
  o.drain.masks.clear();
  for (const auto& name : cfg.drain.masks) {
    parse::mask m;
    if (parse::mask_kind_from_name(name, m.kind)) o.drain.masks.push_back(m);
  }
  for (const auto& pattern : cfg.drain.custom_masks)
    o.drain.masks.push_back(parse::mask{parse::mask_kind::regex, pattern});
  o.entities.enabled.fill(false);
  for (const auto& t : cfg.entities.types)
    if (auto et = model::entity_type_from(t))
      o.entities.enabled[static_cast<std::size_t>(*et)] = true;
  o.entities.max_per_event = cfg.entities.max_per_event;
  o.replay = replay;
  o.first_year = first_year;
  return o;
}

source_actor::behavior_type source_actor_impl(self_ptr self, system::node_context* ctx,
                                              source_args args) {
  install_exception_handler(self, "source");
  auto& st = self->state;
  st.ctx = ctx;
  st.source_name = args.source_name;
  st.sinks = std::move(args.sinks);
  st.directory = std::move(args.directory);
  const bool replay = ctx->mode == system::run_mode::analyze;
  st.pipeline = std::make_unique<parse::source_pipeline>(
      pipeline_options_from(*ctx->cfg, st.source_name, replay, ctx->analyze.year), ctx->metrics);
  st.handoff = ctx->registry->handoff(st.source_name);
  st.pipeline->continue_after(st.handoff->last_event_seq());
  if (auto snap = ctx->registry->peek_stash(vault_key(st.source_name))) {
    restore_from(self, *snap, "the last snapshot");
  } else if (auto store = ctx->registry->lookup<store_actor>("store"); store && !replay) {
    // First start of this process: the state saved by the previous run, read before any batch
    // is processed (await holds the mailbox until the answer is in).
    self->request(store, std::chrono::seconds(30), snapshot_atom::value, vault_key(st.source_name))
        .await([=](const std::string& snap) { restore_from(self, snap, "the store"); },
               [=](caf::error& err) {
                 log::warn("source", self->state.source_name,
                           ": could not read the saved model state: ", caf::to_string(err));
               });
  }
  // Re-delivers whatever a previous incarnation left unprocessed, before anything new.
  st.handoff->attach(caf::actor_cast<caf::actor>(self));
  if (!replay) self->delayed_send(self, snapshot_interval, snapshot_atom::value);

  return {
      [=](ingest_atom, std::uint64_t seq, const model::raw_batch& batch,
          const ingest::credit_token& credit) {
        auto& s = self->state;
        s.pipeline->process(batch, s.out);
        ++s.batches;
        s.records += batch.records.size();
        // One message per sink and one to the directory; the last copy of the credit token
        // returns the receiver's credit once all of them are done.
        for (std::size_t i = 0; i < s.sinks.size(); ++i) {
          event_batch b;
          b.source = s.source_name;
          b.credit = credit;
          b.committed = batch.on_committed;
          if (i + 1 == s.sinks.size()) {
            b.events = std::move(s.out.events);
            b.rejected = std::move(s.out.rejected);
          } else {
            b.events = s.out.events;
            b.rejected = s.out.rejected;
          }
          send_or_stall(self, s.sinks[i], std::move(b));
        }
        if (!s.out.templates.empty() || !s.out.entities.empty())
          route_or_stall(
              self, routed_batch{std::move(s.out.templates), std::move(s.out.entities), credit});
        s.handoff->processed(seq, s.pipeline->last_seq());
      },
      [=](retry_atom) {
        self->state.retry_scheduled = false;
        flush_stalled(self);
      },
      [=](snapshot_atom) {
        stash(self, ++self->state.snapshots % store_every == 0);
        self->delayed_send(self, snapshot_interval, snapshot_atom::value);
      },
      [=](shutdown_atom) {
        flush_stalled(self);
        if (!self->state.stalled.empty())
          log::error("source", self->state.source_name, ": ", self->state.stalled.size(),
                     " batches still wait for a sink or the directory at shutdown");
        stash(self, true);
        self->quit();
      },
      [=](inspect_atom) -> std::string {
        auto& s = self->state;
        nlohmann::ordered_json j;
        j["source"] = s.source_name;
        j["batches"] = s.batches;
        j["records"] = s.records;
        j["events"] = s.pipeline->last_seq();
        j["templates"] = s.pipeline->template_count();
        j["stalled_messages"] = s.stalled.size();
        j["handoff_in_flight"] = s.handoff->gate()->in_flight();
        j["sinks"] = s.sinks;
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
