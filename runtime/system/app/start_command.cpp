#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "actors/sigma_rules.hpp"
#include "runtime/config/cluster_check.hpp"
#include "runtime/config/cluster_tree.hpp"
#include "runtime/config/sink_tree.hpp"
#include "runtime/system/app/commands.hpp"
#include "runtime/system/app/node.hpp"
#include "runtime/system/app/settings_loader.hpp"
#include "runtime/system/app/signals.hpp"
#include "runtime/system/app/stdin_feeder.hpp"

#include <csignal>
#include "runtime/util/log.hpp"

namespace seerflow::app {

namespace {

constexpr auto shutdown_timeout = std::chrono::seconds(60);
constexpr auto rules_poll = std::chrono::seconds(5);
// Receivers retry a held port for 5 s (actors/receiver_actor.cpp); this leaves room for that.
constexpr auto startup_timeout = std::chrono::seconds(12);

// Endpoints actually bound (ports may be 0 in config), for scripts, tests and operators.
void write_endpoints(const std::filesystem::path& file, system::actor_registry& reg) {
  nlohmann::ordered_json j = nlohmann::json::array();
  for (const auto& e : reg.endpoints())
    j.push_back({{"receiver", e.receiver},
                 {"protocol", e.protocol},
                 {"address", e.address},
                 {"port", e.port}});
  const auto tmp = file.string() + ".tmp";
  {
    std::ofstream out(tmp);
    out << nlohmann::ordered_json{{"pid", ::getpid()}, {"endpoints", j}}.dump(2) << '\n';
  }
  std::filesystem::rename(tmp, file);
}

bool has_source(const config::tree_node& n, const std::string& name) {
  if (n.kind == "source" && n.name == name) return true;
  for (const auto& c : n.children)
    if (has_source(c, name)) return true;
  return false;
}

model::input_format format_named(const std::string& f) {
  if (f == "raw") return model::input_format::raw;
  if (f == "jsonl") return model::input_format::jsonl;
  return model::input_format::syslog;
}

void apply_data_dir(config::settings& s, const std::string& dir) {
  const auto derived = (std::filesystem::path(s.data_dir) / "seerflow.db").string();
  if (s.storage.path.empty() || s.storage.path == derived)
    s.storage.path = (std::filesystem::path(dir) / "seerflow.db").string();
  s.data_dir = dir;
}

}  // namespace

int run_start(const start_options& opts) {
  auto loaded = load_settings_or_report(opts.config_file);
  if (!loaded) return 2;
  auto cfg = std::move(*loaded);
  if (!opts.data_dir.empty()) apply_data_dir(cfg, opts.data_dir);
  if (opts.node) cfg.cluster.enabled = true;
  if (cfg.cluster.enabled) {
    const auto problems = config::cluster_problems(cfg);
    const auto origin =
        opts.config_file.empty() ? std::string("built-in defaults") : opts.config_file;
    for (const auto& p : problems) std::fprintf(stderr, "%s: %s\n", origin.c_str(), p.c_str());
    if (!problems.empty()) {
      std::fprintf(stderr, "%s: %zu configuration error%s (node mode)\n", origin.c_str(),
                   problems.size(), problems.size() == 1 ? "" : "s");
      return 2;
    }
    // One name for this node everywhere: placement, the actor registry, the console.
    cfg.node_name = config::cluster_node_id(cfg);
    cfg.supervision = config::with_cluster_leaf(std::move(cfg.supervision));
  }
  log::level lv;
  if (log::parse_level(cfg.runtime.log_level, lv)) log::threshold() = static_cast<int>(lv);

  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) {
    log::error("start", "cannot create data directory ", cfg.data_dir, ": ", ec.message());
    return 1;
  }
  const auto endpoints_file = std::filesystem::path(cfg.data_dir) / "endpoints.json";
  std::filesystem::remove(endpoints_file, ec);

  block_termination_signals();
  log::info("start", "seerflow " SEERFLOW_VERSION " starting; config: ",
            opts.config_file.empty() ? "built-in defaults" : opts.config_file,
            "; data directory: ", cfg.data_dir);
  cfg.supervision = config::with_sink_leaves(std::move(cfg.supervision), cfg.alerts.sinks);
  node n(cfg, system::run_mode::serve);
  n.boot(n.settings().supervision);

  // Every receiver must be listening before we call ourselves ready; a port held by another
  // program (after the receivers' own retries) is a start-up failure, not a silent retry loop.
  const auto receivers = count_receivers(n.settings().supervision, n.settings());
  bool ready = n.wait_endpoints(receivers, startup_timeout);
  write_endpoints(endpoints_file, n.registry());
  std::string listening;
  for (const auto& e : n.registry().endpoints())
    listening += " " + e.protocol + "://" + e.address + ":" + std::to_string(e.port);
  int code = 0;
  if (ready) {
    log::info("start", "ready; listening on", listening.empty() ? " nothing" : listening);
  } else if (!n.root_exited()) {
    log::error("start", "only ", n.registry().endpoints().size(), " of ", receivers,
               " receivers are listening after ", startup_timeout.count(),
               " s (see the errors above); stopping");
    code = 1;
  }

  // --stdin: standard input feeds a source actor of the tree, beside the receivers.
  std::unique_ptr<stdin_feeder> feeder;
  if (ready && opts.stdin_source) {
    const auto source =
        opts.stdin_to.empty() ? n.settings().receivers.syslog.source : opts.stdin_to;
    if (!has_source(n.settings().supervision, source)) {
      log::error("start", "--stdin: the supervision tree has no source actor named '", source,
                 "' (see --stdin-source)");
      ready = false;
      code = 1;
    } else {
      log::info("start", "reading stdin (", opts.stdin_format, ") into source '", source, "'");
      feeder = std::make_unique<stdin_feeder>(
          n.registry().handoff(source), format_named(opts.stdin_format),
          n.settings().pipeline.batch_size, 2 * n.settings().parse.max_message);
    }
  }

  int sig = 0;
  // Rule directories are looked at every few seconds, and at once on SIGHUP; a changed set is
  // loaded, checked and swapped in whole, or refused with its errors (actors/sigma_rules.hpp).
  actors::sigma_rules_watch watch(cfg);
  auto next_look = std::chrono::steady_clock::now() + rules_poll;
  while (ready && !n.root_exited()) {
    sig = wait_termination_signal(std::chrono::milliseconds(200));
    if (sig == SIGHUP) {
      log::info("start", "received SIGHUP; reloading the Sigma rules");
      watch.reload();
      sig = 0;
      continue;
    }
    if (sig != 0) break;
    if (std::chrono::steady_clock::now() >= next_look) {
      watch.poll();
      next_look = std::chrono::steady_clock::now() + rules_poll;
    }
  }
  feeder.reset();  // stops reading stdin before the pipeline behind it stops
  if (!ready && !n.root_exited()) n.shutdown(shutdown_timeout);
  if (sig != 0) {
    log::info("start", "received ", signal_name(sig), "; shutting down in order (send ",
              signal_name(sig), " again to stop at once)");
    // A second signal means "now": the wait below runs in its own thread.
    std::thread([] {
      while (true) {
        if (int again = wait_termination_signal(std::chrono::milliseconds(500));
            again != 0 && again != SIGHUP) {
          log::error("start", "second ", signal_name(again), ": exiting without flushing");
          std::fflush(nullptr);
          ::_exit(130);
        }
      }
    }).detach();
    if (!n.shutdown(shutdown_timeout)) code = 1;
  }
  if (!n.root_failure().empty()) {
    log::error("start", "the supervision tree gave up: ", n.root_failure());
    code = 1;
  }
  const auto summary = n.summary();
  std::fprintf(stderr, "%s\nsummary-json: %s\n", summary.text().c_str(), summary.json().c_str());
  std::filesystem::remove(endpoints_file, ec);
  return code;
}

}  // namespace seerflow::app
