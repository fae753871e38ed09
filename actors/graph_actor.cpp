#include "actors/graph_actor.hpp"

#include <nlohmann/json.hpp>

#include "actors/exception_handler.hpp"
#include "actors/inspect_stats.hpp"
#include "messages/inspect.hpp"
#include "runtime/graph/graph_view.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

namespace {

using self_ptr = graph_actor::stateful_pointer<graph_actor_state>;
constexpr const char* vault_key = "graph";
// Every n-th run also writes the snapshot to the store (it can be tens of MB at full size).
constexpr std::uint64_t store_every = 10;

void restore(self_ptr self, const std::string& snap, const char* where) {
  auto& s = self->state;
  if (snap.empty()) return;
  if (s.graph->restore(snap))
    log::info("graph", "restored ", s.graph->node_count(), " entities and ", s.graph->edge_count(),
              " relations from ", where);
  else
    log::warn("graph", "the graph snapshot in ", where, " is unreadable; starting empty");
}

void save(self_ptr self, bool to_store) {
  auto& s = self->state;
  auto store = s.ctx->registry->lookup<store_actor>("store");
  s.graph->take_unsaved(s.scratch);
  if (!s.scratch.empty() && store) {
    s.edges_saved += s.scratch.size();
    self->send(store, graph_atom::value, std::move(s.scratch));
    s.scratch = {};
  }
  if (s.ctx->mode != system::run_mode::serve) return;
  auto snap = s.graph->snapshot();
  if (to_store && store) self->send(store, snapshot_atom::value, std::string(vault_key), snap);
  s.ctx->registry->stash(vault_key, std::move(snap));
}

std::string run(self_ptr self) {
  auto& s = self->state;
  auto a = s.analyzer->run(*s.graph);
  ++s.runs;
  s.changed = false;
  s.findings += a.findings.size();
  s.findings_dropped += a.findings_dropped;
  if (!a.findings.empty()) {
    if (auto alerts = s.ctx->registry->lookup<alert_actor>("alerts")) {
      for (auto& f : a.findings) {
        s.findings_counter->add();
        self->send(alerts, std::move(f));
      }
    } else {
      log::error("graph", a.findings.size(), " findings and no alert actor");
    }
  }
  if (a.findings_dropped)
    log::warn("graph", a.findings_dropped, " findings beyond the per-run limit were not raised");
  s.last_run_json = graph::analysis_json(*s.graph, a);
  log::debug("graph", "run ", s.runs, ": ", a.view.vertex_count(), " entities, ",
             a.view.pair_count(), " pairs, ", a.communities.count, " communities, ",
             a.findings.size(), " findings in ", static_cast<long>(a.total_ms), " ms");
  save(self, s.runs % store_every == 0);
  return s.last_run_json;
}

}  // namespace

graph::analysis_options graph_options_from(const config::settings& cfg) {
  graph::analysis_options o;
  o.betweenness_threshold = cfg.graph.betweenness_threshold;
  o.betweenness.samples = cfg.graph.betweenness_samples;
  o.fanout_sigma = cfg.graph.fanout_sigma;
  o.fanout_min_runs = cfg.graph.fanout_min_runs;
  return o;
}

graph_actor::behavior_type graph_actor_impl(self_ptr self, system::node_context* ctx) {
  install_exception_handler(self, "graph");
  auto& st = self->state;
  st.ctx = ctx;
  st.graph = std::make_unique<graph::entity_graph>(
      graph::graph_limits{ctx->cfg->graph.max_nodes, ctx->cfg->graph.max_edges});
  st.analyzer = std::make_unique<graph::graph_analyzer>(graph_options_from(*ctx->cfg));
  st.findings_counter = &ctx->metrics->get_counter("graph_findings");
  const bool serve = ctx->mode == system::run_mode::serve;
  if (auto snap = ctx->registry->peek_stash(vault_key)) {
    restore(self, *snap, "the last snapshot");
  } else if (auto store = ctx->registry->lookup<store_actor>("store"); store && serve) {
    // Read before any relation is folded in (await holds the mailbox until the answer).
    self->request(store, std::chrono::seconds(30), snapshot_atom::value, std::string(vault_key))
        .await([=](const std::string& snap) { restore(self, snap, "the store"); },
               [=](caf::error& err) {
                 log::warn("graph", "could not read the saved graph: ", caf::to_string(err));
               });
  }
  const auto interval = std::chrono::milliseconds(ctx->cfg->graph.interval_ms);
  if (ctx->cfg->graph.enabled) self->delayed_send(self, interval, sweep_atom::value);

  return {
      [=](graph_atom, const std::vector<model::edge_observation>& edges) {
        auto& s = self->state;
        ++s.batches;
        s.relations += edges.size();
        for (const auto& e : edges) s.graph->observe(e);
        s.changed |= !edges.empty();
      },
      [=](sweep_atom) {
        if (self->state.changed) run(self);
        self->delayed_send(self, interval, sweep_atom::value);
      },
      [=](analyze_atom) -> std::string { return run(self); },
      [=](analyze_atom, const std::string& value, std::uint32_t radius) -> std::string {
        auto& g = *self->state.graph;
        return graph::ego_json(g, graph::build_view(g), value, std::min<std::uint32_t>(radius, 8));
      },
      [=](shutdown_atom) {
        auto& s = self->state;
        // The last relations are analysed and stored before the store stops (it is stopped
        // after the graph: reverse start order).
        if (s.changed && s.ctx->cfg->graph.enabled) run(self);
        save(self, true);
        self->quit();
      },
      [=](inspect_atom) -> std::string {
        auto& s = self->state;
        nlohmann::ordered_json j;
        j["enabled"] = s.ctx->cfg->graph.enabled;
        j["entities"] = s.graph->node_count();
        j["relations"] = s.graph->edge_count();
        j["batches"] = s.batches;
        j["observations"] = s.relations;
        j["evicted_entities"] = s.graph->counters().evicted_nodes;
        j["evicted_relations"] = s.graph->counters().evicted_edges;
        j["runs"] = s.runs;
        j["findings"] = s.findings;
        j["findings_dropped"] = s.findings_dropped;
        j["edges_saved"] = s.edges_saved;
        j["last_run"] = s.last_run_json.empty()
                            ? nlohmann::ordered_json()
                            : nlohmann::ordered_json::parse(s.last_run_json, nullptr, false);
        add_mailbox(j, self);
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      },
  };
}

}  // namespace seerflow::actors
