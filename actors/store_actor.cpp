#include "actors/store_actor.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "actors/exception_handler.hpp"
#include "actors/inspect_stats.hpp"
#include "messages/inspect.hpp"
#include "runtime/backend/open_store.hpp"
#include "runtime/config/cluster_check.hpp"
#include "runtime/store/store_error.hpp"
#include "runtime/tail/stored_offsets.hpp"
#include "runtime/util/clock.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

namespace {

using self_ptr = store_actor::stateful_pointer<store_actor_state>;
constexpr auto maintenance_interval = std::chrono::seconds(1);

// Entity links are folded into per-entity postings in bulk (runtime/store/event_store.hpp);
// commits fold when due, and this does it when traffic stops so entity counts catch up.
void fold_now(self_ptr self) {
  try {
    self->state.db->fold();
  } catch (const std::exception& e) {
    self->state.failures_counter->add();
    log::error("store", "folding entity links failed (", e.what(), "); will retry");
  }
}

// Retention steps: after a write, a little more than was written (a size cap holds under
// sustained load); on an idle tick, steps for up to 200 ms while no batch waits. Steps stay
// small, so a batch that arrives meanwhile waits for one step at most.
constexpr std::size_t retention_step_events = 8192;
constexpr auto retention_tick_budget = std::chrono::milliseconds(200);
constexpr std::int64_t retention_log_interval_ns = 60'000'000'000;

// Actor snapshots waiting for a flush that keeps failing: beyond this many, the oldest go.
constexpr std::size_t max_pending_snapshots = 200'000;

constexpr const char* retention_kinds[6] = {"events",   "postings", "actor_snapshots",
                                            "entities", "rejected", "alerts"};

void log_retention(self_ptr self, bool force) {
  auto& st = self->state;
  auto& u = st.retention_unlogged;
  if (u.rows() == 0 && u.pages_vacuumed == 0) return;
  const auto now = util::mono_now_ns();
  if (!force && now - st.retention_logged_ns < retention_log_interval_ns) return;
  log::info("store", "retention deleted ", u.events, " events (", u.postings, " posting rows), ",
            u.entities, " entities, ", u.rejected, " rejected records, ", u.alerts, " alerts; ",
            u.pages_vacuumed, " pages returned to the file system");
  u = {};
  st.retention_logged_ns = now;
}

// One retention step of at most max_events; returns whether there is more to do now.
bool retain(self_ptr self, std::size_t max_events) {
  auto& st = self->state;
  if (!st.retention.enabled()) return false;
  try {
    const auto c = st.db->enforce_retention(st.retention, util::wall_now_ns(), max_events);
    const std::uint64_t by_kind[6] = {c.events,   c.postings, c.snapshots,
                                      c.entities, c.rejected, c.alerts};
    for (int i = 0; i < 6; ++i)
      if (by_kind[i]) st.retention_counters[i]->add(by_kind[i]);
    if (c.pages_vacuumed) st.vacuum_counter->add(c.pages_vacuumed);
    st.retention_unlogged += c;
    log_retention(self, false);
    return c.more;
  } catch (const std::exception& e) {
    st.failures_counter->add();
    log::error("store", "retention failed (", e.what(), "); will retry");
    return false;
  }
}

bool sender_starved(const store_actor_state& s) {
  for (const auto& b : s.buffer)
    if (b.credit && b.credit->gate() && b.credit->gate()->exhausted()) return true;
  return false;
}

// Returns true when the buffer is empty afterwards.
bool flush(self_ptr self) {
  auto& st = self->state;
  if (st.buffer.empty() && st.pending_alerts.empty() && st.pending_snapshots.empty()) return true;
  try {
    std::size_t events = 0, rejected = 0;
    for (const auto& b : st.buffer) {
      st.db->add_events(b.events);
      st.db->add_rejected(b.rejected);
      // In the same transaction: a file tailer never reads committed lines a second time.
      if (b.tail) st.db->add_tail_offsets(*b.tail);
      events += b.events.size();
      rejected += b.rejected.size();
    }
    st.db->add_alerts(st.pending_alerts);
    st.db->save_actor_snapshots(st.node_id, st.pending_snapshots);
    st.db->commit();
    st.snapshots_counter->add(st.pending_snapshots.size());
    st.pending_snapshots.clear();
    st.alerts_written += st.pending_alerts.size();
    st.pending_alerts.clear();
    st.events_written += events;
    st.rejected_written += rejected;
    st.events_counter->add(events);
    ++st.commits;
    st.buffer.clear();  // releases the credit tokens: receivers may send more
    st.buffered_rows = 0;
    ++st.generation;
    st.timer_armed = false;
    if (st.consecutive_failures > 0)
      log::info("store", "writes succeed again after ", st.consecutive_failures, " failures");
    st.consecutive_failures = 0;
    // After the credits went back: the receivers send on while old rows are deleted.
    if (events > 0) retain(self, std::min<std::size_t>(events + 1024, 2 * retention_step_events));
    return true;
  } catch (const std::exception& e) {
    st.failures_counter->add();
    ++st.consecutive_failures;
    // Back off up to 30 s; the buffered batches (and their credits) are kept, so the receivers
    // slow down (TCP) or drop and count (UDP) instead of this actor growing without bound.
    const auto delay = std::chrono::milliseconds(
        std::min<long long>(30000, 250LL << std::min(st.consecutive_failures, 7)));
    log::error("store", "write of ", st.buffered_rows, " rows failed (", e.what(),
               "); retrying in ", delay.count(), " ms");
    ++st.generation;
    st.timer_armed = true;
    self->delayed_send(self, delay, flush_atom::value, st.generation);
    return false;
  }
}

}  // namespace

store_actor::behavior_type store_actor_impl(self_ptr self, system::node_context* ctx) {
  install_exception_handler(self, "store");
  auto& st = self->state;
  st.ctx = ctx;
  st.events_counter = &ctx->metrics->get_counter("store_events_written");
  st.failures_counter = &ctx->metrics->get_counter("store_write_failures");
  st.snapshots_counter = &ctx->metrics->get_counter("store_actor_snapshots_written");
  st.node_id = config::cluster_node_id(*ctx->cfg);
  const auto& scfg = ctx->cfg->storage;
  st.db = backend::open_writer(scfg);
  st.retention.max_age_ns = scfg.retention_max_age_ms * 1'000'000;
  st.retention.max_bytes = scfg.retention_max_bytes;
  st.retention.alerts_max_age_ns = scfg.retention_alerts_max_age_ms * 1'000'000;
  for (int i = 0; i < 6; ++i)
    st.retention_counters[i] =
        &ctx->metrics->get_counter("store_retention_deleted", {{"kind", retention_kinds[i]}});
  st.vacuum_counter = &ctx->metrics->get_counter("store_retention_pages_vacuumed");
  st.retention_logged_ns = util::mono_now_ns();
  log::info("store", "writing to ", scfg.backend, " ", st.db->location(), " (schema version ",
            st.db->schema_version(), ")");
  self->delayed_send(self, maintenance_interval, sweep_atom::value);

  return {
      [=](event_batch& b) {
        auto& s = self->state;
        s.buffered_rows += b.events.size() + b.rejected.size();
        s.buffer.push_back(std::move(b));
        // Write when the buffer is full, or when nothing else is queued and a sender has run out
        // of credit: its credits are parked in this buffer, so waiting for the timer would only
        // stall it. Otherwise keep collecting: bigger transactions rewrite fewer pages.
        const bool full = s.buffered_rows >= s.ctx->cfg->storage.flush_rows;
        if (s.consecutive_failures == 0 &&
            (full || (self->mailbox().empty() && sender_starved(s)))) {
          flush(self);
        } else if (!s.timer_armed) {
          s.timer_armed = true;
          self->delayed_send(self, std::chrono::milliseconds(s.ctx->cfg->storage.flush_ms),
                             flush_atom::value, s.generation);
        }
      },
      [=](flush_atom, std::uint64_t gen) {
        if (gen != self->state.generation) return;  // a stale timer of an earlier buffer
        self->state.timer_armed = false;
        flush(self);
      },
      [=](sweep_atom) {
        auto& s = self->state;
        // Due by size or age under load; and once ingest paused for a whole tick, at once, so
        // that entity counts catch up without waiting for storage's fold interval.
        const bool quiet = s.events_written == s.events_at_last_sweep;
        s.events_at_last_sweep = s.events_written;
        if (s.buffer.empty() && (s.db->fold_due() || quiet)) fold_now(self);
        if (s.buffer.empty() && s.retention.enabled()) {
          const auto until = std::chrono::steady_clock::now() + retention_tick_budget;
          while (retain(self, retention_step_events) && self->mailbox().empty() &&
                 std::chrono::steady_clock::now() < until) {
          }
        }
        self->delayed_send(self, maintenance_interval, sweep_atom::value);
      },
      [=](snapshot_atom, const std::string& name, const std::string& bytes) {
        // Buffered events first, so that the state never runs ahead of the stored events.
        flush(self);
        try {
          self->state.db->save_state(name, bytes);
        } catch (const std::exception& e) {
          self->state.failures_counter->add();
          log::error("store", "saving the model state of ", name, " failed: ", e.what());
        }
      },
      [=](graph_atom, const std::vector<model::edge_observation>& edges) {
        flush(self);
        try {
          self->state.db->add_graph_edges(edges);
        } catch (const std::exception& e) {
          self->state.failures_counter->add();
          log::error("store", "saving ", edges.size(), " entity graph edges failed: ", e.what());
        }
      },
      [=](handover_atom, std::vector<handover_item>& items) {
        // Written in the transaction of the next flush, with the events buffered before them
        // (so a snapshot never runs ahead of the stored events, and costs no commit of its
        // own); a failed write is retried with them.
        auto& s = self->state;
        for (auto& i : items)
          s.pending_snapshots.push_back({i.entity, i.key, std::move(i.snapshot)});
        if (s.pending_snapshots.size() > max_pending_snapshots) {
          // The store has been failing for a while: the oldest go (the directory writes an id
          // again when it changes), so a dead database does not grow this actor without bound.
          const auto drop = s.pending_snapshots.size() - max_pending_snapshots / 2;
          s.pending_snapshots.erase(
              s.pending_snapshots.begin(),
              s.pending_snapshots.begin() + static_cast<std::ptrdiff_t>(drop));
          s.failures_counter->add();
          log::error("store", drop, " actor snapshots dropped: the store has not taken them");
        }
        if (!s.timer_armed) {
          s.timer_armed = true;
          self->delayed_send(self, std::chrono::milliseconds(s.ctx->cfg->storage.flush_ms),
                             flush_atom::value, s.generation);
        }
      },
      [=](handover_atom, const std::string& node) -> std::vector<handover_item> {
        auto& s = self->state;
        std::vector<handover_item> out;
        try {
          auto rows = s.db->load_actor_snapshots(node);
          out.reserve(rows.size());
          for (auto& r : rows) out.push_back({r.entity, r.key, std::move(r.bytes)});
        } catch (const std::exception& e) {
          s.failures_counter->add();
          log::error("store", "reading the actor snapshots of node ", node, " failed: ", e.what());
        }
        return out;
      },
      [=](snapshot_atom, const std::string& name) -> std::string {
        try {
          return self->state.db->load_state(name);
        } catch (const std::exception& e) {
          log::error("store", "reading the model state of ", name, " failed: ", e.what());
          return {};
        }
      },
      [=](tail_atom, const std::string& tailer) -> caf::result<std::string> {
        // Buffered batches first: a tailer restarted in this process resumes after them.
        flush(self);
        try {
          return tail::encode_stored_offsets(self->state.db->load_tail_offsets(tailer));
        } catch (const std::exception& e) {
          self->state.failures_counter->add();
          log::error("store", "reading the file tail offsets of ", tailer, " failed: ", e.what());
          return caf::make_error(caf::sec::runtime_error, e.what());
        }
      },
      [=](alert_atom, std::vector<model::alert>& alerts) {
        // Written with the next commit of the buffer (events before them stay before them):
        // an alert storm costs rows, not a transaction each.
        auto& s = self->state;
        for (auto& a : alerts) s.pending_alerts.push_back(std::move(a));
        s.buffered_rows += alerts.size();
        if (!s.timer_armed) {
          s.timer_armed = true;
          self->delayed_send(self, std::chrono::milliseconds(s.ctx->cfg->storage.flush_ms),
                             flush_atom::value, s.generation);
        }
      },
      [=](sync_atom) -> std::uint64_t {
        flush(self);
        return self->state.events_written;
      },
      [=](shutdown_atom) {
        // A last write; if the disk still fails, say exactly what is lost.
        for (int attempt = 0; attempt < 3 && !flush(self); ++attempt)
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (!self->state.buffer.empty())
          log::error("store", "shutdown with ", self->state.buffered_rows,
                     " rows unwritten after repeated failures");
        else
          fold_now(self);  // entity counts are exact when we stop
        log_retention(self, true);
        const auto& t = self->state.db->totals();
        log::info("store", "closing: ", self->state.events_written, " events in ",
                  self->state.commits, " transactions, ", t.links, " entity links, ", t.folds,
                  " folds, ", self->state.rejected_written, " rejected records");
        self->quit();
      },
      [=](inspect_atom) -> std::string {
        auto& s = self->state;
        nlohmann::ordered_json j;
        j["backend"] = s.ctx->cfg->storage.backend;
        j["path"] = s.db->location();
        j["events_written"] = s.events_written;
        j["rejected_written"] = s.rejected_written;
        j["alerts_written"] = s.alerts_written;
        j["actor_snapshots_written"] = s.snapshots_counter->value();
        j["commits"] = s.commits;
        j["buffered_rows"] = s.buffered_rows;
        j["consecutive_failures"] = s.consecutive_failures;
        j["unindexed_text"] = s.db->unindexed_text();
        const auto& d = s.db->totals().deleted;
        j["retention_deleted"] = {{"events", d.events},
                                  {"postings", d.postings},
                                  {"actor_snapshots", d.snapshots},
                                  {"entities", d.entities},
                                  {"rejected", d.rejected},
                                  {"alerts", d.alerts},
                                  {"pages_vacuumed", d.pages_vacuumed}};
        add_mailbox(j, self);
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
