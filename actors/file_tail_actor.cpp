#include "actors/file_tail_actor.hpp"

#include "actors/receiver_counters.hpp"

#include <filesystem>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include "actors/actors.hpp"
#include "actors/exception_handler.hpp"
#include "actors/inspect_stats.hpp"
#include "actors/server_owner.hpp"
#include "messages/atoms.hpp"
#include "runtime/config/cluster_check.hpp"
#include "runtime/net/receiver_counters.hpp"
#include "runtime/tail/file_tail_server.hpp"
#include "runtime/tail/stored_offsets.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

using namespace seerflow::messages;

namespace {

using self_ptr = caf::stateful_actor<file_tail_state>*;

bool has_source(const config::tree_node& n, const std::string& name) {
  if (n.kind == "source" && n.name == name) return true;
  for (const auto& c : n.children)
    if (has_source(c, name)) return true;
  return false;
}

bool has_kind(const config::tree_node& n, const std::string& kind) {
  if (n.kind == kind) return true;
  for (const auto& c : n.children)
    if (has_kind(c, kind)) return true;
  return false;
}

// How long the tailer waits for the store actor to exist (it starts before the receivers, and
// may be restarting) and then to answer.
constexpr int store_lookup_attempts = 300;
constexpr auto store_lookup_pause = std::chrono::milliseconds(100);
constexpr auto store_answer_timeout = std::chrono::seconds(60);

// A short-lived actor that asks the store for a tailer's committed read positions and hands
// the answer to the file tail server (which waits in its coroutine, never blocking a thread).
caf::behavior ask_store_offsets(caf::event_based_actor* self, system::node_context* ctx,
                                std::string tailer,
                                std::function<void(tail::stored_offsets_answer)> done) {
  auto attempts = std::make_shared<int>(0);
  const auto fail = [done](std::string why) {
    tail::stored_offsets_answer a;
    a.error = std::move(why);
    done(std::move(a));
  };
  self->send(self, retry_atom::value);
  return {
      [=](retry_atom) {
        auto store = ctx->registry->lookup<store_actor>("store");
        if (!store) {
          if (++*attempts >= store_lookup_attempts) {
            fail("the store actor is not running");
            self->quit();
          } else {
            self->delayed_send(self, store_lookup_pause, retry_atom::value);
          }
          return;
        }
        self->request(store, store_answer_timeout, tail_atom::value, tailer)
            .then(
                [=](const std::string& text) {
                  try {
                    tail::stored_offsets_answer a;
                    a.rows = tail::decode_stored_offsets(text);
                    a.ok = true;
                    done(std::move(a));
                  } catch (const std::exception& e) {
                    fail(e.what());
                  }
                  self->quit();
                },
                [=](caf::error& err) {
                  fail(caf::to_string(err));
                  self->quit();
                });
      },
  };
}

model::input_format format_of(const std::string& f) {
  if (f == "syslog") return model::input_format::syslog;
  if (f == "jsonl") return model::input_format::jsonl;
  return model::input_format::raw;
}

tail::file_tail_options options_from(system::node_context* ctx, const std::string& receiver,
                                     const std::string& checkpoint) {
  const auto& cfg = *ctx->cfg;
  const auto& f = cfg.receivers.files;
  tail::file_tail_options o;
  o.tailer_name = config::cluster_node_id(cfg) + "/" + receiver;
  // Where the store commits the positions with the events, resume from them: a kill -9 after
  // a commit and before the next checkpoint file then reads nothing twice.
  if (ctx->mode == system::run_mode::serve && has_kind(cfg.supervision, "store"))
    o.load_stored = [ctx, tailer = o.tailer_name](auto done) {
      ctx->sys->spawn(ask_store_offsets, ctx, tailer, std::move(done));
    };
  o.tail.paths = f.paths;
  o.tail.roots = f.roots;
  o.tail.start_at_end = f.start_at == "end";
  o.tail.max_record = f.max_record;
  o.tail.multiline.start_pattern = f.multiline.start_pattern;
  o.tail.multiline.continuation_pattern = f.multiline.continuation_pattern;
  o.tail.multiline.max_lines = f.multiline.max_lines;
  o.tail.multiline.max_bytes = f.multiline.max_bytes;
  o.tail.multiline.flush_timeout = std::chrono::milliseconds(f.multiline.flush_timeout_ms);
  o.poll_interval = std::chrono::milliseconds(f.poll_interval_ms);
  o.rescan_interval = std::chrono::milliseconds(f.rescan_interval_ms);
  o.checkpoint_path = checkpoint;
  o.checkpoint_interval = std::chrono::milliseconds(f.checkpoint_interval_ms);
  o.max_unsaved_batches = f.max_unsaved_batches;
  o.batch_size = cfg.pipeline.batch_size;
  o.format = format_of(f.format);
  return o;
}

void start(self_ptr self) {
  auto& st = self->state;
  const auto& cfg = *st.ctx->cfg;
  const auto& f = cfg.receivers.files;
  if (!f.enabled) {
    log::debug(st.receiver_name, "receivers.files.enabled is false; not tailing");
    return;
  }
  if (f.paths.empty()) {
    log::warn(st.receiver_name,
              "receivers.files.enabled is true but receivers.files.paths is empty; not tailing");
    return;
  }
  if (!has_source(cfg.supervision, st.source)) {
    // Batches for a source nobody runs would wait in its hand-over forever.
    log::error(st.receiver_name, "the supervision tree has no source actor named '", st.source,
               "' (receivers.files.source or the leaf's args.source); not tailing");
    return;
  }
  st.checkpoint_path =
      f.checkpoint_path.empty()
          ? (std::filesystem::path(cfg.data_dir) / "checkpoints" / (st.receiver_name + ".json"))
                .string()
          : f.checkpoint_path;
  net::receiver_counters counters(*st.ctx->metrics, st.receiver_name);
  auto server = std::make_shared<tail::file_tail_server>(
      *st.ctx->io, options_from(st.ctx, st.receiver_name, st.checkpoint_path),
      st.ctx->registry->handoff(st.source), counters, *st.ctx->metrics);
  server->start();
  std::string roots;
  for (const auto& r : server->roots()) roots += (roots.empty() ? "" : ", ") + r;
  std::string paths;
  for (const auto& p : f.paths) paths += (paths.empty() ? "" : ", ") + p;
  log::info(st.receiver_name, "tailing ", paths, " (roots ", roots, ", start at ", f.start_at,
            ", checkpoints ", st.checkpoint_path, ") for source '", st.source, "'");
  st.stop_server = [server](std::function<void()> done) { server->stop(std::move(done)); };
  // However the actor ends, the server stops with it and writes its last checkpoint; the next
  // incarnation waits for that before it reads.
  self->attach_functor([stop = st.stop_server] { stop([] {}); });
  st.started = true;
}

}  // namespace

caf::behavior file_tail_impl(self_ptr self, system::node_context* ctx, std::string name,
                             std::string source) {
  install_exception_handler(self, name);
  auto& st = self->state;
  st.ctx = ctx;
  st.receiver_name = std::move(name);
  st.source = std::move(source);
  start(self);
  return {
      [=](shutdown_atom) {
        // Hand over what was read and checkpoint what was committed, then quit.
        stop_owned_server(self);
      },
      [=](stopped_atom) { self->quit(); },
      [=](inspect_atom) -> std::string {
        auto& s = self->state;
        nlohmann::ordered_json j;
        j["name"] = s.receiver_name;
        j["protocol"] = "file";
        j["source"] = s.source;
        j["enabled"] = s.ctx->cfg->receivers.files.enabled;
        j["tailing"] = s.started && !s.stopping;
        j["paths"] = s.ctx->cfg->receivers.files.paths;
        j["checkpoint"] = s.checkpoint_path;
        add_receiver_counters(j, *s.ctx->metrics, s.receiver_name);
        add_mailbox(j, self);
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
