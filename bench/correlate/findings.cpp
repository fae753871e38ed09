// Per-finding cost of the correlation an entity actor runs, on one core:
//   bench_correlate_findings [--findings N] [--entities E] [--runs R]
// Synthetic alert stream shaped like a noisy internet-facing fleet: E entities with Zipf(1)
// frequencies (a few hot hosts and addresses, a long tail), findings of the four scored kinds
// with 0-3 ATT&CK tactics each, event time advancing ~2k findings/s with some late ones.
// Measures the source side (alerts turned into per-entity findings on the batch's deliveries,
// batches of 1,024 alerts) and the entity side (risk, watermark, kill chain, alerts raised),
// plus snapshot and restore of every entity's state. Input is generated before timing; times
// are process CPU time (the machine is shared), best of R runs.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/correlate/attach_findings.hpp"
#include "runtime/correlate/entity_correlator.hpp"

namespace sc = seerflow::correlate;
namespace sm = seerflow::model;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

const std::vector<std::string> tactic_names{
    "reconnaissance",       "initial-access",      "execution",         "persistence",
    "privilege-escalation", "defense-evasion",     "credential-access", "discovery",
    "lateral-movement",     "command-and-control", "exfiltration",      "impact"};
const std::vector<std::string> kinds{"sigma", "sigma", "sigma", "correlation", "anomaly"};
const std::vector<std::string> severities{"low", "medium", "high", "critical"};

std::vector<sm::alert> make_alerts(std::size_t n, std::size_t entities) {
  std::mt19937_64 rng(77);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<double> cdf;
  double sum = 0;
  for (std::size_t k = 1; k <= entities; ++k) cdf.push_back(sum += 1.0 / static_cast<double>(k));
  for (auto& c : cdf) c /= sum;
  std::vector<sm::entity_ref> refs(entities);
  for (std::size_t i = 0; i < entities; ++i) {
    refs[i].type = static_cast<sm::entity_type>(i % 4 == 3 ? 2 : i % 3);  // ip, user, host
    refs[i].value = "entity-" + std::to_string(i);
    for (int b = 0; b < 8; ++b)
      refs[i].id[static_cast<std::size_t>(b)] =
          static_cast<std::uint8_t>((i * 0x9E3779B97F4A7C15ULL) >> (8 * b));
  }
  std::vector<sm::alert> out;
  out.reserve(n);
  std::int64_t t = 1'700'000'000LL * 1'000'000'000;
  for (std::size_t i = 0; i < n; ++i) {
    t += static_cast<std::int64_t>(rng() % 1'000'000);  // ~2k/s
    sm::alert a;
    a.id = "a" + std::to_string(i);
    a.kind = kinds[rng() % kinds.size()];
    a.severity = severities[rng() % severities.size()];
    a.rule = "rule-" + std::to_string(rng() % 60);
    a.title = "Synthetic " + a.rule;
    // 2 % of the alerts arrive ten minutes late (behind the 5 min lateness).
    a.time_ns = rng() % 50 == 0 ? t - 600LL * 1'000'000'000 : t;
    a.event_seqs = {i + 1};
    for (std::size_t k = rng() % 4; k > 0; --k)
      a.tactics.push_back(tactic_names[rng() % tactic_names.size()]);
    for (int k = 0; k < 3; ++k) {
      const auto e =
          static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin());
      a.entities.push_back(refs[std::min(e, entities - 1)]);
    }
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 1'000'000, entities = 10'000;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--findings")) n = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--entities")) entities = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
  }
  const auto alerts = make_alerts(n, entities);
  sc::entity_type_mask types{};
  types[0] = types[1] = types[2] = true;

  double best_attach = 1e30, best_apply = 1e30, best_snap = 1e30;
  std::size_t findings = 0, raised = 0, late = 0, snapshot_bytes = 0, touched = 0;
  for (int r = 0; r < runs; ++r) {
    // Source side: batches of 1,024 alerts become findings on per-entity deliveries.
    std::vector<std::vector<sm::entity_delivery>> batches;
    double c0 = cpu_seconds();
    findings = 0;
    for (std::size_t i = 0; i < alerts.size(); i += 1024) {
      std::vector<sm::alert> batch(
          alerts.begin() + static_cast<std::ptrdiff_t>(i),
          alerts.begin() + static_cast<std::ptrdiff_t>(std::min(alerts.size(), i + 1024)));
      std::vector<sm::entity_delivery> ds;
      findings += sc::attach_findings(batch, types, "bench", ds);
      batches.push_back(std::move(ds));
    }
    best_attach = std::min(best_attach, cpu_seconds() - c0);

    // Entity side: what each entity actor does with its delivery.
    std::unordered_map<std::uint64_t, sc::entity_correlator> states;
    states.reserve(entities);
    const sc::settings s;
    std::vector<sm::alert> out;
    raised = late = 0;
    c0 = cpu_seconds();
    for (const auto& ds : batches)
      for (const auto& d : ds) {
        auto it = states.try_emplace(sm::entity_key(d.entity.id), s).first;
        out.clear();
        late += it->second.apply(d.entity, d.source, d.findings, out);
        raised += out.size();
      }
    best_apply = std::min(best_apply, cpu_seconds() - c0);

    touched = states.size();
    c0 = cpu_seconds();
    snapshot_bytes = 0;
    for (auto& [k, st] : states) {
      seerflow::util::byte_writer w;
      st.write(w);
      const auto bytes = w.take();
      snapshot_bytes += bytes.size();
      sc::entity_correlator back(s);
      seerflow::util::byte_reader rd(bytes);
      if (!back.read(rd)) return 1;
    }
    best_snap = std::min(best_snap, cpu_seconds() - c0);
  }
  nlohmann::ordered_json j;
  j["benchmark"] = "correlate_findings";
  j["alerts"] = n;
  j["entities"] = entities;
  j["findings"] = findings;
  j["alerts_raised"] = raised;
  j["late_findings"] = late;
  j["attach_findings_per_s"] = static_cast<double>(findings) / best_attach;
  j["apply_findings_per_s"] = static_cast<double>(findings) / best_apply;
  j["apply_ns_per_finding"] = best_apply * 1e9 / static_cast<double>(findings);
  j["entities_touched"] = touched;
  j["snapshot_restore_per_s"] = static_cast<double>(touched) / best_snap;
  j["snapshot_bytes_per_entity"] =
      static_cast<double>(snapshot_bytes) / static_cast<double>(touched);
  j["runs"] = runs;
  std::printf("%s\n", j.dump(2).c_str());
  return 0;
}
