// Per-event cost of the whole detection ensemble on one core:
//   bench_detect_ensemble [--events N] [--runs R] [--whole-only] [--hst-height H] [--hst-trees T]
// Synthetic but shaped like a busy source: ~200 templates with Zipf(1) frequencies, 1,000
// entities (Zipf too), event time advancing monotonically at ~20k events/s, per-template
// features (severity, parameter count, entity count, message length) with some jitter. Every
// event goes through what the actors will run for it: the source detector (content half-space
// trees, source volume Holt-Winters and CUSUM), the template's volume model, the entity's
// Markov chain and volume model, the ensemble fusion and its biDSPOT. The input is generated
// before timing; times are process CPU time (the machine may be shared), best of R runs.
// Each component is also timed alone over the same input, so the split is visible.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <unordered_map>
#include <vector>

#include "runtime/detect/content_features.hpp"
#include "runtime/detect/cusum.hpp"
#include "runtime/detect/ensemble.hpp"
#include "runtime/detect/half_space_trees.hpp"
#include "runtime/detect/markov_chain.hpp"
#include "runtime/detect/source_detector.hpp"
#include "runtime/detect/volume_model.hpp"
#include "runtime/detect/volume_pool.hpp"

namespace sd = seerflow::detect;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

struct input_event {
  sd::event_features f;
  std::uint64_t entity;
};

std::vector<double> zipf_cdf(int n) {
  std::vector<double> cdf;
  double sum = 0;
  for (int k = 1; k <= n; ++k) cdf.push_back(sum += 1.0 / k);
  for (auto& c : cdf) c /= sum;
  return cdf;
}

std::vector<input_event> make_input(std::size_t n) {
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> u(0, 1);
  const auto templates = zipf_cdf(200), entities = zipf_cdf(1000);
  auto draw = [&](const std::vector<double>& cdf) {
    return static_cast<std::uint64_t>(std::lower_bound(cdf.begin(), cdf.end(), u(rng)) -
                                      cdf.begin());
  };
  std::vector<input_event> out;
  out.reserve(n);
  std::int64_t t = 1'700'000'000LL * 1'000'000'000;
  std::exponential_distribution<double> gap(1.0 / 50'000.0);  // mean 50 us: ~20k events/s
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = draw(templates);
    t += static_cast<std::int64_t>(gap(rng));
    input_event e;
    e.f.time_ns = t;
    e.f.template_id = 0x9e3779b97f4a7c15ULL * (k + 1);
    e.f.entity_count = static_cast<std::uint32_t>(1 + k % 3);
    e.f.severity = k % 17 == 0 ? 17 : 9;
    e.f.param_count = static_cast<std::uint32_t>(k % 6);
    e.f.message_length = static_cast<std::uint32_t>(40 + (k * 37) % 200 + rng() % 16);
    e.entity = 0xabcdef12345ULL + draw(entities);
    out.push_back(e);
  }
  return out;
}

// The per-entity state an entity actor would own.
struct entity_model {
  sd::markov_chain chain;
  explicit entity_model(const sd::markov_settings& s) : chain(s) {}
};

struct pipeline {
  explicit pipeline(const sd::settings& settings) : s(settings) {}
  sd::settings s;
  sd::source_detector source{s};
  sd::volume_pool template_volume{s.volume, s.template_volume_capacity};
  sd::volume_pool entity_volume{s.volume, s.entity_volume_capacity};
  std::unordered_map<std::uint64_t, entity_model> entities;
  sd::ensemble fused{s.ensemble};

  sd::partial_scores partials(const input_event& e) {
    sd::partial_scores p;
    source.observe(e.f).into(p);
    const auto tv = template_volume.observe(e.f.template_id, e.f.time_ns);
    at(p, sd::channel::template_volume) = {tv.z, true, tv.warm};
    auto it = entities.try_emplace(e.entity, s.sequence).first;
    const auto m = it->second.chain.observe(e.f.template_id);
    at(p, sd::channel::sequence) = {m.score, true, m.warm};
    const auto ev = entity_volume.observe(e.entity, e.f.time_ns);
    at(p, sd::channel::entity_volume) = {ev.z, true, ev.warm};
    return p;
  }
};

template <class F>
double best_ns_per_event(int runs, std::size_t n, F&& once) {
  double best = 1e300;
  for (int r = 0; r < runs; ++r) {
    const double c0 = cpu_seconds();
    once();
    best = std::min(best, (cpu_seconds() - c0) * 1e9 / static_cast<double>(n));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 2'000'000;
  int runs = 3;
  bool whole_only = false;
  int hst_height = 0, hst_trees = 0;  // 0: the defaults  // e.g. under callgrind, to count
                                      // instructions of the pipeline alone
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--whole-only")) whole_only = true;
    if (i + 1 >= argc) continue;
    if (!std::strcmp(argv[i], "--events")) n = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--hst-height")) hst_height = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--hst-trees")) hst_trees = std::atoi(argv[i + 1]);
  }
  const auto input = make_input(n);
  sd::settings s;
  if (hst_height > 0) s.content.height = static_cast<std::uint32_t>(hst_height);
  if (hst_trees > 0) s.content.trees = static_cast<std::uint32_t>(hst_trees);
  std::uint64_t anomalies = 0, sink = 0;

  const double whole = best_ns_per_event(runs, n, [&] {
    pipeline p(s);
    anomalies = 0;
    for (const auto& e : input) anomalies += p.fused.fuse(p.partials(e)).anomaly;
  });

  if (whole_only) {
    nlohmann::ordered_json j;
    j["benchmark"] = "detect_ensemble";
    j["events"] = n;
    j["events_per_second"] = 1e9 / whole;
    j["ns_per_event"] = whole;
    j["anomalies_flagged"] = anomalies;
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  const double content = best_ns_per_event(runs, n, [&] {
    sd::content_features f(s.content);
    sd::half_space_trees hst(s.content, sd::content_features::dims);
    double acc = 0;
    for (const auto& e : input) acc += hst.score_and_update(f.encode_quantised(e.f));
    sink += static_cast<std::uint64_t>(acc);
  });
  const double volume_change = best_ns_per_event(runs, n, [&] {
    sd::volume_model v(s.volume);
    sd::cusum c(s.change);
    double acc = 0;
    for (const auto& e : input)
      acc += v.step(e.f.time_ns, true, [&](double y) { acc += c.update(y).statistic; }).z;
    sink += static_cast<std::uint64_t>(std::abs(acc));
  });
  const double template_volume = best_ns_per_event(runs, n, [&] {
    sd::volume_pool pool(s.volume, s.template_volume_capacity);
    double acc = 0;
    for (const auto& e : input) acc += pool.observe(e.f.template_id, e.f.time_ns).z;
    sink += static_cast<std::uint64_t>(std::abs(acc));
  });
  const double markov = best_ns_per_event(runs, n, [&] {
    std::unordered_map<std::uint64_t, entity_model> entities;
    double acc = 0;
    for (const auto& e : input)
      acc += entities.try_emplace(e.entity, s.sequence)
                 .first->second.chain.observe(e.f.template_id)
                 .score;
    sink += static_cast<std::uint64_t>(acc);
  });
  const double entity_volume = best_ns_per_event(runs, n, [&] {
    sd::volume_pool pool(s.volume, s.entity_volume_capacity);
    double acc = 0;
    for (const auto& e : input) acc += pool.observe(e.entity, e.f.time_ns).z;
    sink += static_cast<std::uint64_t>(std::abs(acc));
  });
  // The fusion alone, over partial scores recorded from one pass of the channels.
  std::vector<sd::partial_scores> recorded;
  recorded.reserve(n);
  // Also a checksum of every partial and fused score's bits (FNV-1a), outside the timings: a
  // speed-up must leave it unchanged.
  std::uint64_t checksum = 0xcbf29ce484222325ULL;
  {
    auto mix = [&](double v) {
      std::uint64_t b;
      std::memcpy(&b, &v, sizeof b);
      for (int i = 0; i < 8; ++i)
        checksum = (checksum ^ ((b >> (8 * i)) & 0xff)) * 0x100000001b3ULL;
    };
    pipeline p(s);
    for (const auto& e : input) {
      recorded.push_back(p.partials(e));
      for (const auto& c : recorded.back()) {
        mix(c.value);
        mix(2.0 * c.warm + c.present);
      }
      const auto r = p.fused.fuse(recorded.back());
      mix(r.score);
      mix(r.threshold);
      mix(r.anomaly);
    }
  }
  const double fusion = best_ns_per_event(runs, n, [&] {
    sd::ensemble en(s.ensemble);
    std::uint64_t a = 0;
    for (const auto& p : recorded) a += en.fuse(p).anomaly;
    sink += a;
  });

  nlohmann::ordered_json j;
  j["benchmark"] = "detect_ensemble";
  j["events"] = n;
  j["runs"] = runs;
  j["templates"] = 200;
  j["entities"] = 1000;
  j["events_per_second"] = 1e9 / whole;
  j["ns_per_event"] = whole;
  j["anomalies_flagged"] = anomalies;
  j["components_ns_per_event"] = {{"content_hst", content},
                                  {"volume_and_change", volume_change},
                                  {"template_volume", template_volume},
                                  {"markov_sequence", markov},
                                  {"entity_volume", entity_volume},
                                  {"ensemble_and_bidspot", fusion}};
  j["settings"] = {{"hst_trees", s.content.trees},
                   {"hst_height", s.content.height},
                   {"hst_window", s.content.window},
                   {"season_buckets", s.volume.season_buckets}};
  j["scores_checksum"] = checksum;
  j["sink"] = sink % 1000;
  std::printf("%s\n", j.dump(2).c_str());
}
