#include "actors/entity_actor.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "actors/sigma_rules.hpp"
#include "messages/inspect.hpp"
#include "runtime/correlate/attach_findings.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

namespace {

using self_ptr = entity_actor::stateful_pointer<entity_actor_state>;

constexpr unsigned char envelope_marker = 0xFF;

// Risk and kill-chain alerts go to the alert actor before this message (and so its credit) is
// done: `analyze` collects alerts once every credit is back, and finds these among them.
void raise(self_ptr self, const entity_actor_options& opts) {
  auto& raised = self->state.raised;
  if (raised.empty()) return;
  alert_actor target;
  if (opts.ctx && opts.ctx->registry) target = opts.ctx->registry->lookup<alert_actor>("alerts");
  if (!target) {
    log::error("entity", raised.size(), " correlation alerts about ", self->state.st->ref().value,
               " and no alert actor");
    if (opts.lost_alerts) opts.lost_alerts->add(raised.size());
    raised.clear();
    return;
  }
  for (auto& a : raised) self->send(target, std::move(a));
  raised.clear();
}

bool type_correlated(const entity_actor_options& opts, model::entity_type t) {
  if (!opts.ctx || !opts.ctx->cfg || !opts.ctx->cfg->correlation.enabled) return false;
  const auto& types = opts.ctx->cfg->correlation.entity_types;
  const auto name = std::string(model::entity_type_names[static_cast<std::size_t>(t)]);
  return std::find(types.begin(), types.end(), name) != types.end();
}

// The Sigma correlation matches routed to this entity; a correlation that fires is an alert,
// and a finding about each correlated entity it names: this one's goes to s.findings, the
// others travel through the directory with this message's credit (so `analyze` waits for
// them). Every entity the source named in `verdict_to` gets this entity's verdict on the batch,
// empty when nothing fired: its actor holds the batch's findings until the verdict is in.
void run_sigma_correlations(self_ptr self, const messages::entity_message& m,
                            const entity_actor_options& opts) {
  auto& s = self->state;
  const auto& d = m.delivery;
  const auto rules = current_sigma_rules();
  const auto first = s.raised.size();
  const auto late_before = s.sigma.late_matches();
  for (const auto& o : d.correlations)
    if (!s.sigma.observe(rules, d.source, o, s.raised) && opts.stale_correlations)
      opts.stale_correlations->add(1);
  // (The engine is new after a rule change: then only what it counted since.)
  const auto late_after = s.sigma.late_matches();
  if (opts.late_correlations && late_after > late_before)
    opts.late_correlations->add(late_after - late_before);
  const auto self_key = model::entity_key(s.st->ref().id);
  routed_batch others;
  auto delivery_for = [&](const model::entity_ref& e) -> model::entity_delivery& {
    const auto key = model::entity_key(e.id);
    auto it = std::find_if(others.entities.begin(), others.entities.end(),
                           [&](const auto& x) { return model::entity_key(x.entity.id) == key; });
    if (it != others.entities.end()) return *it;
    model::entity_delivery od;
    od.entity = e;
    od.source = d.source;
    od.batch = d.batch;
    others.entities.push_back(std::move(od));
    return others.entities.back();
  };
  // The verdicts owed (announce_verdicts in source_actor.cpp), each with the findings it has.
  for (const auto& o : d.correlations)
    for (const auto& e : o.entities)
      if (std::find(d.verdict_to.begin(), d.verdict_to.end(), model::entity_key(e.id)) !=
          d.verdict_to.end())
        delivery_for(e).verdict_of = self_key;
  for (auto i = first; i < s.raised.size(); ++i) {
    const auto& a = s.raised[i];
    const auto f = correlate::finding_of(a);
    if (s.correlated) s.findings.push_back(f);
    std::vector<std::uint64_t> seen{self_key};
    for (const auto& e : a.entities) {
      const auto key = model::entity_key(e.id);
      if (!type_correlated(opts, e.type) || std::find(seen.begin(), seen.end(), key) != seen.end())
        continue;
      seen.push_back(key);
      delivery_for(e).findings.push_back(f);
    }
  }
  if (others.entities.empty()) return;
  directory_actor dir;
  if (opts.ctx && opts.ctx->registry)
    dir = opts.ctx->registry->lookup<directory_actor>("directory");
  if (!dir) {
    log::warn("entity", "no directory to hand correlation findings about ", s.st->ref().value,
              "'s peers to");
    return;
  }
  others.credit = m.credit;
  self->send(dir, std::move(others));
}

void apply_findings(self_ptr self, const entity_actor_options& opts, const std::string& source,
                    const std::vector<model::finding>& findings) {
  const auto late = self->state.st->correlate(source, findings, self->state.raised);
  if (late && opts.late_findings) opts.late_findings->add(late);
}

// Applies the held blocks whose verdicts are all in (or overdue), oldest first.
void release_held(self_ptr self, const entity_actor_options& opts, bool all) {
  auto& held = self->state.held;
  const auto overdue = held.overdue();
  auto apply = [&](const std::string& source, const std::vector<model::finding>& f) {
    apply_findings(self, opts, source, f);
  };
  if (all)
    held.release_all(apply);
  else
    held.release(apply);
  if (held.overdue() > overdue && opts.overdue_verdicts)
    opts.overdue_verdicts->add(held.overdue() - overdue);
}

}  // namespace

std::string entity_actor_snapshot(const state::entity_state& st,
                                  const rules::entity_correlations& sigma) {
  auto state_part = st.snapshot();
  auto sigma_part = sigma.snapshot();
  if (sigma_part.empty()) return state_part;
  std::string out;
  out.push_back(static_cast<char>(envelope_marker));
  const auto n = static_cast<std::uint64_t>(state_part.size());
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out += state_part;
  out += sigma_part;
  return out;
}

bool split_entity_actor_snapshot(std::string_view bytes, std::string_view& state_part,
                                 std::string_view& sigma_part) {
  sigma_part = {};
  if (bytes.empty() || static_cast<unsigned char>(bytes[0]) != envelope_marker) {
    state_part = bytes;
    return true;
  }
  if (bytes.size() < 9) return false;
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= std::uint64_t{static_cast<unsigned char>(bytes[1 + static_cast<std::size_t>(i)])}
         << (8 * i);
  if (n > bytes.size() - 9) return false;
  state_part = bytes.substr(9, n);
  sigma_part = bytes.substr(9 + n);
  return true;
}

entity_actor::behavior_type entity_actor_impl(self_ptr self, model::entity_ref ref,
                                              entity_actor_options opts, std::string snapshot) {
  self->state.correlated = type_correlated(opts, ref.type);
  if (!snapshot.empty()) {
    std::string_view state_part, sigma_part;
    if (split_entity_actor_snapshot(snapshot, state_part, sigma_part)) {
      self->state.st = state::entity_state::restore(state_part, opts.window, opts.correlation);
      if (self->state.st && !self->state.sigma.restore(current_sigma_rules(), sigma_part))
        log::warn("entity", "correlation windows of ", ref.value,
                  " are unreadable; they start over");
    }
  }
  if (!self->state.st) {
    if (!snapshot.empty())
      log::warn("entity", "snapshot of ", ref.value, " is unreadable; starting from empty state");
    self->state.st.emplace(std::move(ref), opts.window, opts.correlation);
  }
  return {
      [=](const entity_message& m) {
        auto& s = self->state;
        auto& st = *s.st;
        const auto late_before = st.late_count();
        st.observe(m.delivery.observations);
        if (opts.late_observations && st.late_count() > late_before)
          opts.late_observations->add(st.late_count() - late_before);
        s.findings.clear();
        const auto& d = m.delivery;
        // Only the source's own deliveries carry observations; findings from other entities'
        // correlations and verdicts do not, and say nothing of which batches came.
        if (!d.observations.empty()) s.held.saw(d.source, d.batch);
        if (!d.correlations.empty()) run_sigma_correlations(self, m, opts);
        if (d.verdict_of != 0) {
          // Another entity's verdict on a batch: into the block that waits for it, else (late,
          // or never announced) applied now, after what is ready.
          if (!s.held.add_verdict(d.source, d.batch, d.verdict_of, d.findings)) {
            release_held(self, opts, false);
            if (!d.findings.empty()) apply_findings(self, opts, d.source, d.findings);
          }
        } else if (!d.awaiting.empty() || !s.held.empty()) {
          s.held.add_own(d.source, d.batch, d.awaiting, d.findings, s.findings);
        } else if (s.findings.empty()) {
          if (!d.findings.empty()) apply_findings(self, opts, d.source, d.findings);
        } else {
          auto all = d.findings;
          correlate::held_findings::merge_verdict(all, s.findings);
          apply_findings(self, opts, d.source, all);
        }
        release_held(self, opts, false);
        raise(self, opts);
      },
      [=](passivate_atom) -> std::string {
        // Held findings are applied before the state is saved: a verdict that comes after this
        // counts as late.
        release_held(self, opts, true);
        raise(self, opts);
        auto snap = entity_actor_snapshot(*self->state.st, self->state.sigma);
        self->quit();
        return snap;
      },
      [=](snapshot_atom) -> std::string {
        return entity_actor_snapshot(*self->state.st, self->state.sigma);
      },
      [=](shutdown_atom) {
        release_held(self, opts, true);
        raise(self, opts);
        self->quit();
      },
      [=](inspect_atom) -> std::string {
        auto j = nlohmann::ordered_json::parse(self->state.st->inspect_json(), nullptr, false);
        if (j.is_discarded() || !j.is_object()) return self->state.st->inspect_json();
        auto windows = nlohmann::ordered_json::array();
        for (const auto& [corr, group, n] : self->state.sigma.describe(20))
          windows.push_back({{"correlation", corr}, {"group", group}, {"matches", n}});
        j["sigma_correlations"] = std::move(windows);
        // Findings waiting for correlation verdicts (runtime/correlate/held_findings.hpp).
        const auto& held = self->state.held;
        j["held_findings"] = {{"blocks", held.blocks()},
                              {"early_verdicts", held.early()},
                              {"overdue", held.overdue()}};
        return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      },
  };
}

}  // namespace seerflow::actors
