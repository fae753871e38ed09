#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/actors.hpp"
#include "messages/inspect.hpp"
#include "runtime/output/ndjson.hpp"
#include "runtime/system/app/commands.hpp"
#include "runtime/system/app/line_reader.hpp"
#include "runtime/system/app/node.hpp"
#include "runtime/system/app/settings_loader.hpp"
#include "runtime/util/clock.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::app {

namespace {

// The replay tree: the same kinds as `start`, with the printer as the source's sink and no
// receivers or store.
config::tree_node analyze_tree(const std::string& source) {
  config::tree_node root;
  root.name = "analyze-root";
  root.kind = "supervisor";
  root.strategy = "one_for_one";
  root.max_restarts = 3;
  root.within_ms = 10000;
  auto leaf = [](std::string name, std::string kind) {
    config::tree_node n;
    n.name = std::move(name);
    n.kind = std::move(kind);
    return n;
  };
  root.children.push_back(leaf("printer", "printer"));
  root.children.push_back(leaf("alerts", "alerts"));
  root.children.push_back(leaf("directory", "directory"));
  auto src = leaf(source, "source");
  src.args["sinks"] = "printer";
  root.children.push_back(std::move(src));
  return root;
}

bool parse_format(const std::string& s, model::input_format& out) {
  if (s == "syslog")
    out = model::input_format::syslog;
  else if (s == "raw")
    out = model::input_format::raw;
  else if (s == "jsonl")
    out = model::input_format::jsonl;
  else
    return false;
  return true;
}

}  // namespace

int run_analyze(const analyze_options& opts) {
  model::input_format format;
  if (!parse_format(opts.format, format)) {
    std::fprintf(stderr, "seerflow analyze: unknown --format '%s' (syslog, raw or jsonl)\n",
                 opts.format.c_str());
    return 2;
  }
  if (opts.source == "printer" || opts.source == "alerts" || opts.source == "directory" ||
      opts.source.empty()) {
    std::fprintf(stderr, "seerflow analyze: --source '%s' is reserved\n", opts.source.c_str());
    return 2;
  }
  auto loaded = load_settings_or_report(opts.config_file);
  if (!loaded) return 2;
  auto cfg = std::move(*loaded);
  log::level lv;
  if (log::parse_level(cfg.runtime.log_level, lv)) log::threshold() = static_cast<int>(lv);

  std::FILE* in = stdin;
  if (opts.input != "-") {
    in = std::fopen(opts.input.c_str(), "rb");
    if (!in) {
      std::fprintf(stderr, "seerflow analyze: cannot open %s: %s\n", opts.input.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }

  const auto tree = analyze_tree(opts.source);
  system::analyze_options aopts;
  aopts.out = stdout;
  aopts.year = opts.year;
  int code = 0;
  {
    node n(cfg, system::run_mode::analyze, aopts);
    n.boot(tree);
    auto handoff = n.registry().handoff(opts.source);

    // Read and hand over as fast as the pipeline takes it: the credit window paces the reader.
    // Decoders accept records up to twice max_message (a header and fields beside a message of
    // up to max_message) and reject longer ones as oversized. Cutting lines at that bound keeps
    // every acceptable record whole, and a cut line is always rejected, never decoded truncated.
    line_reader reader(in, 2 * cfg.parse.max_message);
    bool more = true;
    while (more && !n.root_exited()) {
      std::vector<std::string> lines;
      more = reader.read(lines, cfg.pipeline.batch_size);
      if (lines.empty()) continue;
      model::raw_batch batch;
      batch.format = format;
      batch.records.reserve(lines.size());
      const auto now = util::wall_now_ns();
      for (auto& l : lines)
        batch.records.push_back({std::move(l), now, opts.input == "-" ? "stdin" : opts.input});
      if (!handoff->submit_blocking(std::move(batch))) break;
    }
    if (!reader.error().empty()) {
      log::error("analyze", "read error on ", opts.input, ": ", reader.error());
      code = 1;
    }
    // Everything is printed once every credit is back: the printer and the directory (and the
    // entity and template actors behind it) are done with every batch.
    while (!handoff->gate()->wait_idle(std::chrono::milliseconds(200))) {
      if (n.root_exited()) break;
    }
    // An empty input is done before the supervisor has started its children: wait for them, or
    // the requests below go to no actor and fail (invalid_argument, exit code 1).
    while (!n.root_exited() && (!n.registry().get("printer") || !n.registry().get("alerts")))
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!n.root_exited()) {
      caf::scoped_actor self{n.actor_system()};
      auto alerts = n.registry().lookup<actors::alert_actor>("alerts");
      auto printer = n.registry().lookup<actors::sink_actor>("printer");
      self->request(printer, caf::infinite, actors::sync_atom::value)
          .receive([](std::uint64_t) {}, [](caf::error&) {});
      self->request(alerts, caf::infinite, actors::alerts_atom::value)
          .receive(
              [&](const std::vector<model::alert>& list) {
                for (const auto& a : list) {
                  const auto line = output::alert_line(a);
                  std::fwrite(line.data(), 1, line.size(), stdout);
                  std::fputc('\n', stdout);
                }
              },
              [&](caf::error& err) {
                log::error("analyze", "cannot collect alerts: ", caf::to_string(err));
                code = 1;
              });
      std::fflush(stdout);
    }
    n.shutdown(std::chrono::seconds(60));
    if (!n.root_failure().empty()) {
      log::error("analyze", "the pipeline failed: ", n.root_failure());
      code = 1;
    }
    if (opts.summary) {
      const auto s = n.summary();
      std::fprintf(stderr, "%s\n", s.text().c_str());
    }
  }
  if (in != stdin) std::fclose(in);
  return code;
}

}  // namespace seerflow::app
