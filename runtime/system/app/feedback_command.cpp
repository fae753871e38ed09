// `seerflow feedback ALERT_ID tp|fp [--note TEXT]`: an analyst's verdict on an alert, written to
// the store beside a running agent (alerts.verdict and the alert_verdicts history). A false
// positive that PagerDuty was paged for also queues a `resolve` with the trigger's dedup_key
// for each such sink; the running agent's sink sends it within a second (or the next start).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "runtime/notify/delivery_queue.hpp"
#include "runtime/system/app/commands.hpp"
#include "runtime/system/app/settings_loader.hpp"
#include "runtime/util/clock.hpp"

namespace seerflow::app {

namespace {

constexpr const char* feedback_usage =
    "usage: seerflow feedback ALERT_ID tp|fp [--note TEXT] [--db FILE | --data-dir DIR | "
    "--config FILE]\n"
    "  records a verdict (tp: true positive, fp: false positive) on a stored alert; fp on an\n"
    "  alert sent to PagerDuty also resolves its incident\n";

int usage(const std::string& msg) {
  std::fprintf(stderr, "seerflow feedback: %s\n%s", msg.c_str(), feedback_usage);
  return 2;
}

}  // namespace

int run_feedback(const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  std::string note, db, data_dir, config;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (a == "--help" || a == "-h") {
      std::printf("%s", feedback_usage);
      return 0;
    }
    if (a == "--note" || a == "--db" || a == "--data-dir" || a == "--config") {
      if (i + 1 >= args.size()) return usage(a + " needs a value");
      auto& dest = a == "--note" ? note : a == "--db" ? db : a == "--data-dir" ? data_dir : config;
      dest = args[++i];
      continue;
    }
    if (a.starts_with("--")) return usage("unknown option '" + a + "'");
    positional.push_back(a);
  }
  if (positional.size() != 2) return usage("expected ALERT_ID and a verdict (tp or fp)");
  const auto& alert_id = positional[0];
  const auto& verdict = positional[1];
  if (verdict != "tp" && verdict != "fp")
    return usage("the verdict is tp or fp, not '" + verdict + "'");
  if (alert_id.empty() || alert_id.size() > 256) return usage("not an alert id");
  if (note.size() > 4096) return usage("the note is longer than 4096 bytes");

  std::string path = db;
  if (path.empty() && !data_dir.empty())
    path = (std::filesystem::path(data_dir) / "seerflow.db").string();
  if (path.empty()) {
    auto cfg = load_settings_or_report(config);
    if (!cfg) return 2;
    path = cfg->storage.path;
  }
  if (!std::filesystem::exists(path)) {
    std::fprintf(stderr, "seerflow feedback: no store at %s\n", path.c_str());
    return 1;
  }
  try {
    notify::delivery_queue q(path);
    const auto now = util::wall_now_ns();
    if (!q.record_verdict(alert_id, verdict, note, now)) {
      std::fprintf(stderr, "seerflow feedback: no alert with id '%s' in %s\n", alert_id.c_str(),
                   path.c_str());
      return 1;
    }
    std::printf("alert %s: verdict %s recorded\n", alert_id.c_str(), verdict.c_str());
    if (verdict == "fp") {
      model::alert a;
      a.id = alert_id;
      for (const auto& sink : q.delivered_sinks(alert_id, "pagerduty", "trigger")) {
        if (q.add(sink, a, "resolve", now))
          std::printf("alert %s: PagerDuty resolve queued for sink %s\n", alert_id.c_str(),
                      sink.c_str());
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seerflow feedback: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace seerflow::app
