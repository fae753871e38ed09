// The alert path without actors, on one core:
//   bench_alert_path [--alerts N] [--keys K] [--runs R]
// Input: N Sigma-shaped alerts over K distinct (rule, entity) keys (Zipf-distributed, so a few
// keys repeat a lot, as a brute force does), event time advancing ~1 s per 100 alerts. Timed:
//   dedup      dedup_table::observe (key building, window lookup, count) for every alert
//   routing    sink_accepts for a sink with min_severity and a tactic filter
//   payloads   building the Slack, Teams, signed webhook and PagerDuty bodies for the alerts
//              that open a window (what a sink would send)
// Times are process CPU time, best of R runs; the input is generated before timing.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "runtime/notify/dedup_table.hpp"
#include "runtime/notify/pagerduty_event.hpp"
#include "runtime/notify/sink_request.hpp"
#include "runtime/notify/slack_payload.hpp"
#include "runtime/notify/teams_payload.hpp"
#include "runtime/notify/webhook_request.hpp"

using namespace seerflow;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<model::alert> make_alerts(std::size_t n, std::size_t keys) {
  std::mt19937_64 rng(7);
  // Zipf(1) over keys by inverse CDF on precomputed weights.
  std::vector<double> cdf(keys);
  double sum = 0;
  for (std::size_t i = 0; i < keys; ++i) cdf[i] = (sum += 1.0 / static_cast<double>(i + 1));
  std::uniform_real_distribution<double> u(0, sum);
  static const char* severities[] = {"low", "medium", "high", "critical"};
  static const char* tactics[] = {"credential-access", "lateral-movement", "persistence",
                                  "command-and-control", "discovery"};
  std::vector<model::alert> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto k =
        static_cast<std::size_t>(std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin());
    model::alert a;
    a.kind = "sigma";
    a.rule = "rule-" + std::to_string(k % 50);
    a.id = "sigma-" + std::to_string(i);
    a.title = "SSH brute force against " + std::to_string(k);
    a.severity = severities[k % 4];
    a.source = "syslog";
    a.time_ns = static_cast<std::int64_t>(i) * 10'000'000;  // 100 alerts per second
    a.entities = {{model::entity_type::ip,
                   "10.0." + std::to_string(k / 256 % 256) + "." + std::to_string(k % 256),
                   {}},
                  {model::entity_type::user, "user" + std::to_string(k % 977), {}}};
    a.tactics = {tactics[k % 5]};
    a.techniques = {"T1110.001"};
    a.details_json = R"({"level":"high","message":"Failed password for root from 10.0.0.1"})";
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 1'000'000, keys = 20'000;
  int runs = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--alerts"))
      n = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--keys"))
      keys = std::strtoull(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--runs"))
      runs = std::atoi(argv[i + 1]);
  }
  const auto alerts = make_alerts(n, keys);
  config::alert_settings settings;
  settings.dedup_overrides = {"rule-7=1h", "rule-8=1m"};
  settings.dedup_keys = {"risk=entity"};
  config::sink_settings sink;
  sink.type = "slack";
  sink.min_severity = "medium";
  sink.tactics = {"credential-access", "lateral-movement"};

  double dedup_s = 1e9, route_s = 1e9;
  std::size_t opened = 0, routed = 0;
  std::vector<const model::alert*> firsts;
  for (int r = 0; r < runs; ++r) {
    notify::dedup_table table(notify::dedup_policy::from(settings));
    std::vector<const model::alert*> f;
    f.reserve(n / 4);
    const double t0 = cpu_seconds();
    for (const auto& a : alerts) {
      auto copy_key = a;  // what the alert actor does: the alert is its own message
      if (!table.observe(copy_key).repeat) f.push_back(&a);
    }
    const double t1 = cpu_seconds();
    std::size_t passed = 0;
    for (const auto* a : f) passed += notify::sink_accepts(sink, *a) ? 1 : 0;
    const double t2 = cpu_seconds();
    dedup_s = std::min(dedup_s, t1 - t0);
    route_s = std::min(route_s, t2 - t1);
    opened = f.size();
    routed = passed;
    firsts = std::move(f);
  }

  const std::size_t sample = std::min<std::size_t>(firsts.size(), 50'000);
  auto time_payload = [&](auto&& build) {
    double best = 1e9;
    std::size_t bytes = 0;
    for (int r = 0; r < runs; ++r) {
      bytes = 0;
      const double t0 = cpu_seconds();
      for (std::size_t i = 0; i < sample; ++i) bytes += build(*firsts[i]);
      best = std::min(best, cpu_seconds() - t0);
    }
    return nlohmann::json{{"payloads_per_s", std::round(sample / best)},
                          {"avg_bytes", sample ? bytes / sample : 0}};
  };
  nlohmann::json payloads;
  payloads["slack"] =
      time_payload([](const model::alert& a) { return notify::slack_payload(a).size(); });
  payloads["teams"] =
      time_payload([](const model::alert& a) { return notify::teams_payload(a).size(); });
  payloads["webhook_signed"] = time_payload([](const model::alert& a) {
    return notify::webhook_request("http://127.0.0.1/", "secret", a, "trigger", 1).body.size();
  });
  payloads["pagerduty"] =
      time_payload([](const model::alert& a) { return notify::pagerduty_trigger("rk", a).size(); });

  nlohmann::json out{
      {"benchmark", "alert_path"},
      {"alerts", n},
      {"keys", keys},
      {"runs", runs},
      {"windows_opened", opened},
      {"repeats_folded", n - opened},
      {"dedup_alerts_per_s", std::round(static_cast<double>(n) / dedup_s)},
      {"dedup_ns_per_alert", std::round(dedup_s * 1e9 / static_cast<double>(n))},
      {"routing_alerts_per_s", std::round(static_cast<double>(opened) / std::max(route_s, 1e-9))},
      {"routed_to_sink", routed},
      {"payload_sample", sample},
      {"payloads", payloads},
      {"target_dedup_alerts_per_s", 10000}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
