#include "actors/source_actor.hpp"

#include "actors/sigma_rules.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "actors/exception_handler.hpp"
#include "actors/inspect_stats.hpp"
#include "messages/inspect.hpp"
#include "runtime/config/cluster_check.hpp"
#include "runtime/parse/timestamp.hpp"
#include "runtime/util/hash.hpp"
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

// The detectors' state is kept under its own name: a node that runs without detection, or a
// detector whose settings changed, leaves the miner's state alone.
std::string detect_vault_key(const std::string& name) {
  return "source/" + name + "/detect";
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
  if (st.scorer) {
    auto dsnap = st.scorer->snapshot();
    if (to_store)
      if (auto store = st.ctx->registry->lookup<store_actor>("store"))
        self->send(store, snapshot_atom::value, detect_vault_key(st.source_name), dsnap);
    st.ctx->registry->stash(detect_vault_key(st.source_name), std::move(dsnap));
  }
  auto snap = st.pipeline->snapshot();
  if (to_store)
    if (auto store = st.ctx->registry->lookup<store_actor>("store"))
      self->send(store, snapshot_atom::value, vault_key(st.source_name), snap);
  st.ctx->registry->stash(vault_key(st.source_name), std::move(snap));
}

void restore_detectors(self_ptr self, const std::string& snap, const char* where) {
  auto& st = self->state;
  if (snap.empty() || !st.scorer) return;
  if (st.scorer->restore(snap))
    log::info("source", st.source_name, ": restored the detectors from ", where, " (",
              st.scorer->events(), " events learned)");
  else
    log::warn("source", st.source_name, ": detector state in ", where,
              " is unreadable or from other settings; learning afresh");
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

detect::settings detect_settings_from(const config::settings& cfg) {
  const auto& d = cfg.detect;
  detect::settings s;
  s.volume.bucket_ns = d.bucket_ms * 1'000'000;
  s.volume.season_buckets = static_cast<std::uint32_t>(d.season_buckets);
  s.content.trees = static_cast<std::uint32_t>(d.hst_trees);
  s.content.height = static_cast<std::uint32_t>(d.hst_height);
  s.content.window = static_cast<std::uint32_t>(d.hst_window);
  s.content.seed = static_cast<std::uint64_t>(d.hst_seed);
  s.change.drift = d.cusum_drift;
  s.change.threshold = d.cusum_threshold;
  s.sequence.smoothing = d.markov_smoothing;
  s.sequence.max_states = static_cast<std::uint32_t>(d.markov_max_states);
  s.ensemble.threshold.n_init = static_cast<std::uint32_t>(d.dspot_calibration);
  s.ensemble.threshold.q = d.dspot_risk;
  s.ensemble.threshold.depth = static_cast<std::uint32_t>(d.dspot_depth);
  s.ensemble.threshold.init_quantile = d.dspot_initial_quantile;
  s.ensemble.weights = {d.w_content, d.w_volume,          d.w_sequence,
                        d.w_change,  d.w_template_volume, d.w_entity_volume};
  return s;
}

model::alert anomaly_alert(const model::event& ev, const detect::ensemble_result& r) {
  model::alert a;
  a.kind = "anomaly";
  a.rule = "ensemble";
  a.severity = r.score >= 2 * r.threshold ? "high" : "medium";
  a.source = ev.source;
  a.time_ns = ev.time_ns;
  a.event_seqs = {ev.seq};
  a.entities = ev.entities;
  std::string tpl = ev.template_text.empty() ? ev.message : ev.template_text;
  if (tpl.size() > 120) tpl = tpl.substr(0, 117) + "...";
  const bool lower = r.dir == detect::direction::lower;
  a.title = std::string(lower ? "Fewer events than expected" : "Unusual event") + " in " +
            ev.source + ": " + tpl;
  static constexpr char hex[] = "0123456789abcdef";
  std::uint64_t h = util::fnv1a64(ev.source + '\x1f' + std::to_string(ev.seq) + '\x1f' +
                                  std::to_string(ev.time_ns));
  a.id = "anom-";
  for (int i = 15; i >= 0; --i) a.id += hex[(h >> (i * 4)) & 15];
  std::string tid(16, '0');
  for (int i = 15; i >= 0; --i)
    tid[static_cast<std::size_t>(15 - i)] = hex[(ev.template_id >> (i * 4)) & 15];
  // Repeats of one template's anomaly inside the dedup window are one alert with a count.
  a.dedup_key = "anomaly|" + ev.source + '|' + tid + (lower ? "|lower" : "|upper");
  nlohmann::ordered_json d;
  d["score"] = r.score;
  d["threshold"] = r.threshold;
  d["direction"] = lower ? "lower" : "upper";
  auto parts = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < r.parts_count; ++i) {
    const auto& p = r.parts[i];
    parts.push_back({{"channel", detect::channel_names[static_cast<std::size_t>(p.ch)]},
                     {"raw", p.raw},
                     {"z", p.z},
                     {"share", p.partial}});
  }
  d["channels"] = std::move(parts);
  d["template_id"] = tid;
  d["template"] = ev.template_text;
  d["message"] = ev.message;
  a.details_json = d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return a;
}

// Sigma on the batch's events, with the rule set installed now.
static void match_rules(self_ptr self) {
  auto& s = self->state;
  auto rules = current_sigma_rules();
  if (!rules) {
    s.sigma.reset();
    return;
  }
  if (!s.sigma || s.sigma->shared_rules() != rules) {
    rules::matcher_options o;
    o.min_alert_level = s.ctx->cfg->sigma.min_alert_level;
    auto next = std::make_unique<rules::sigma_matcher>(std::move(rules), o);
    // A reload keeps the open windows of the correlations it did not change.
    if (s.sigma) {
      const auto before = s.sigma->correlation_groups();
      const auto kept = next->adopt(std::move(*s.sigma));
      if (before > 0)
        log::info("source", s.source_name, ": rules reloaded; kept ", kept, " of ", before,
                  " open correlation windows");
    }
    s.sigma = std::move(next);
  }
  // Without a directory there are no entity actors to keep entity-grouped windows.
  auto* routed = s.directory.empty() || s.ctx->cfg->sigma.correlation_windows != "entity"
                     ? nullptr
                     : &s.routed_correlations;
  const auto late_before = s.sigma->late_correlation_matches();
  for (const auto& ev : s.out.events) s.sigma->match(ev, s.alerts, routed);
  if (s.late_correlations)
    s.late_correlations->add(s.sigma->late_correlation_matches() - late_before);
}

// Correlation matches grouped by an entity join that entity's delivery of this batch (one is
// made when the batch has none for it), in input order. The other correlated entities of each
// matching event are noted: announce_verdicts decides, once the batch's findings are attached,
// which of them wait for the group's verdict.
static void attach_correlations(self_ptr self, std::uint64_t batch) {
  auto& s = self->state;
  s.verdict_pairs.clear();
  if (s.routed_correlations.empty()) return;
  std::unordered_map<std::uint64_t, std::size_t> index;
  for (std::size_t i = 0; i < s.out.entities.size(); ++i)
    index.emplace(model::entity_key(s.out.entities[i].entity.id), i);
  for (auto& rc : s.routed_correlations) {
    const auto group = model::entity_key(rc.entity.id);
    auto [it, inserted] = index.try_emplace(group, s.out.entities.size());
    if (inserted) {
      model::entity_delivery d;
      d.entity = rc.entity;
      d.source = s.source_name;
      s.out.entities.push_back(std::move(d));
    }
    if (s.correlate)
      for (const auto& e : rc.observation.entities) {
        const auto t = static_cast<std::size_t>(e.type);
        if (t < s.correlated_types.size() && s.correlated_types[t] &&
            model::entity_key(e.id) != group)
          s.verdict_pairs.emplace_back(group, model::entity_key(e.id));
      }
    s.out.entities[it->second].correlations.push_back(std::move(rc.observation));
  }
  for (auto& d : s.out.entities) d.batch = batch;
  s.routed_correlations.clear();
}

// An entity named by an event whose correlation match went to another entity's actor (the user
// and host of an SSH failure routed to the address) may get a finding from that actor's window,
// after its own delivery of the batch. If that delivery has findings of its own, it waits for
// the verdict (runtime/correlate/held_findings.hpp), and the group's delivery says to send one,
// empty when nothing fired; so a user's risk counts the brute force of event 3 before its own
// hit of event 5. A delivery without findings has nothing to wait for, and most have none: no
// verdict is asked of anyone then.
static void announce_verdicts(self_ptr self) {
  auto& s = self->state;
  if (s.verdict_pairs.empty()) return;
  std::unordered_map<std::uint64_t, std::size_t> index;
  for (std::size_t i = 0; i < s.out.entities.size(); ++i)
    index.emplace(model::entity_key(s.out.entities[i].entity.id), i);
  for (const auto& [group, peer] : s.verdict_pairs) {
    auto p = index.find(peer);
    auto g = index.find(group);
    if (p == index.end() || g == index.end()) continue;
    auto& waiting = s.out.entities[p->second];
    if (waiting.findings.empty()) continue;
    if (std::find(waiting.awaiting.begin(), waiting.awaiting.end(), group) !=
        waiting.awaiting.end())
      continue;
    waiting.awaiting.push_back(group);
    s.out.entities[g->second].verdict_to.push_back(peer);
  }
  s.verdict_pairs.clear();
}

// The ensemble on the batch's events, in input order (event time as the log says).
static void score_events(self_ptr self) {
  auto& s = self->state;
  if (!s.scorer) return;
  for (const auto& ev : s.out.events) {
    s.entity_keys.clear();
    for (const auto& e : ev.entities) s.entity_keys.push_back(model::entity_key(e.id));
    detect::stream_event se;
    se.time_ns = ev.time_ns;
    se.template_id = ev.template_id;
    se.severity = detect::otel_severity_from_syslog(ev.severity);
    se.param_count = static_cast<std::uint32_t>(ev.params.size());
    se.message_length = static_cast<std::uint32_t>(ev.message.size());
    se.message = ev.message;
    se.entity_keys = s.entity_keys.data();
    se.entity_count = static_cast<std::uint32_t>(s.entity_keys.size());
    const auto r = s.scorer->score(se);
    s.newest_event_ns = std::max(s.newest_event_ns, ev.time_ns);
    if (r.anomaly) s.alerts.push_back(anomaly_alert(ev, r));
  }
}

// Every alert of the batch that names entities becomes a finding on each entity's delivery, so
// the entity actors score it with the batch they get anyway (one message per entity).
static void attach_findings(self_ptr self) {
  auto& s = self->state;
  if (!s.correlate || s.alerts.empty()) return;
  correlate::attach_findings(s.alerts, s.correlated_types, s.source_name, s.out.entities);
}

static void send_alerts(self_ptr self) {
  auto& s = self->state;
  if (s.alerts.empty()) return;
  auto target = s.ctx->registry->lookup<alert_actor>("alerts");
  if (!target) {
    log::error("source", s.source_name, ": ", s.alerts.size(), " alerts and no alert actor");
    s.alerts.clear();
    return;
  }
  for (auto& a : s.alerts) self->send(target, std::move(a));
  s.alerts.clear();
}

// The batch's entity relations, in one message to the graph actor. Not derived at all when no
// graph runs (graph.enabled false, or a tree without one): nothing is dropped.
static void send_relations(self_ptr self) {
  auto& s = self->state;
  if (!s.ctx->cfg->graph.enabled) return;
  auto graph = s.ctx->registry->lookup<graph_actor>("graph");
  if (!graph) return;
  for (const auto& ev : s.out.events) s.relations.add(ev);
  if (s.relations.empty()) return;
  std::vector<model::edge_observation> edges;
  s.relations.take(edges);
  self->send(graph, graph_atom::value, std::move(edges));
}

source_actor::behavior_type source_actor_impl(self_ptr self, system::node_context* ctx,
                                              source_args args) {
  install_exception_handler(self, "source");
  auto& st = self->state;
  st.ctx = ctx;
  st.source_name = args.source_name;
  st.sinks = std::move(args.sinks);
  st.directory = std::move(args.directory);
  // 24 bits of the node's id, never 0 (the standalone tag).
  if (ctx->cfg->cluster.enabled)
    st.node_tag = util::fnv1a64(config::cluster_node_id(*ctx->cfg)) % 0xFFFFFF + 1;
  if (ctx->metrics)
    st.late_correlations =
        &ctx->metrics->get_counter("late_events", {{"stage", "sigma_correlation"}});
  const bool replay = ctx->mode == system::run_mode::analyze;
  st.pipeline = std::make_unique<parse::source_pipeline>(
      pipeline_options_from(*ctx->cfg, st.source_name, replay, ctx->analyze.year), ctx->metrics);
  st.handoff = ctx->registry->handoff(st.source_name);
  st.pipeline->continue_after(st.handoff->last_event_seq());
  if (ctx->cfg->correlation.enabled) {
    for (const auto& t : ctx->cfg->correlation.entity_types)
      if (auto et = model::entity_type_from(t)) {
        st.correlated_types[static_cast<std::size_t>(*et)] = true;
        st.correlate = true;
      }
  }
  if (ctx->cfg->detect.enabled)
    st.scorer = std::make_unique<detect::stream_scorer>(detect_settings_from(*ctx->cfg),
                                                        ctx->cfg->detect.max_sequence_entities);
  if (auto dsnap = ctx->registry->peek_stash(detect_vault_key(st.source_name))) {
    restore_detectors(self, *dsnap, "the last snapshot");
  } else if (auto store = ctx->registry->lookup<store_actor>("store");
             store && !replay && st.scorer) {
    self->request(store, std::chrono::seconds(30), snapshot_atom::value,
                  detect_vault_key(st.source_name))
        .await([=](const std::string& snap) { restore_detectors(self, snap, "the store"); },
               [=](caf::error& err) {
                 log::warn("source", self->state.source_name,
                           ": could not read the saved detector state: ", caf::to_string(err));
               });
  }
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
        match_rules(self);
        attach_correlations(self, model::batch_number(s.node_tag, seq));
        score_events(self);
        attach_findings(self);
        announce_verdicts(self);
        send_alerts(self);
        send_relations(self);
        ++s.batches;
        s.records += batch.records.size();
        // One message per sink and one to the directory; the last copy of the credit token
        // returns the receiver's credit once all of them are done.
        for (std::size_t i = 0; i < s.sinks.size(); ++i) {
          event_batch b;
          b.source = s.source_name;
          b.credit = credit;
          b.committed = batch.on_committed;
          b.tail = batch.tail;
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
        add_mailbox(j, self);
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
