#include "runtime/system/app/cli.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "actors/catalog.hpp"
#include "runtime/config/schema.hpp"
#include "runtime/config/to_yaml.hpp"
#include "runtime/system/app/commands.hpp"
#include "runtime/system/app/settings_loader.hpp"

namespace seerflow::app {

namespace {

constexpr const char* usage_text =
    "usage: seerflow <command> [options]\n"
    "\n"
    "commands:\n"
    "  start [--config FILE] [--data-dir DIR] [--node] [--stdin [--stdin-format syslog|raw|jsonl]\n"
    "        [--stdin-source NAME]]\n"
    "        run the agent: syslog on UDP 5514 and TCP 5601, SQLite under the data directory\n"
    "        (defaults need no config file); Ctrl+C or SIGTERM shuts down in order\n"
    "        --node: join a cluster of nodes (cluster.* settings: id, listen, seeds, TLS)\n"
    "  --node --config FILE [--data-dir DIR]   the same as start --node\n"
    "  analyze FILE|- [--format syslog|raw|jsonl] [--config FILE] [--year YYYY]\n"
    "                 [--source NAME] [--no-summary]\n"
    "        replay a log through the pipeline; prints one JSON object per input record,\n"
    "        then one per alert (--year: year of the first record when timestamps have none)\n"
    "  query events|alerts|templates|rules|timeline [filters] [--json]\n"
    "        ask the store (seerflow query --help for the filters)\n"
    "  export events|alerts --format json|csv --output FILE [filters]\n"
    "  feedback ALERT_ID tp|fp [--note TEXT]\n"
    "        record an analyst's verdict; fp resolves the alert's PagerDuty incident\n"
    "  templates prune [--older-than 30d] [--max-events N] [--dry-run]\n"
    "        remove templates unseen since then from the store (and the links to them)\n"
    "  rules validate PATH... | rules list [filters] | rules test RULE EVENTS.jsonl\n"
    "        check, list and try Sigma rules (seerflow rules --help)\n"
    "  status [--url URL] [--token T] [--json]\n"
    "        health of the running node (its console API); exit 0 when healthy, 1 otherwise\n"
    "  console tree|top|entity VALUE|alerts [--watch SECONDS] [--url URL] [--token T] [--json]\n"
    "        look inside the running node: supervision tree, actors by mailbox, an entity's\n"
    "        live state, latest alerts\n"
    "  validate-config FILE   check a configuration file; exit 0 when it is valid\n"
    "  config show [--config FILE]  print the effective settings as YAML\n"
    "  config schema          every configuration key with its type, default and meaning\n"
    "  kinds                  list the actor kinds a supervision tree may use\n"
    "  version | --version    print the version\n"
    "  help | --help          this text\n";

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "seerflow: %s\n\n%s", msg.c_str(), usage_text);
  return 2;
}

// Reads the value of an option written as "--name value" or "--name=value".
bool take_value(const std::vector<std::string>& args, std::size_t& i, const std::string& name,
                std::string& out, std::string& err) {
  const auto& a = args[i];
  if (a == name) {
    if (i + 1 >= args.size()) {
      err = name + " needs a value";
      return false;
    }
    out = args[++i];
    return true;
  }
  if (a.rfind(name + "=", 0) == 0) {
    out = a.substr(name.size() + 1);
    return true;
  }
  return false;
}

int cmd_start(const std::vector<std::string>& args) {
  start_options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string err;
    if (take_value(args, i, "--config", o.config_file, err)) continue;
    if (!err.empty()) return usage_error(err);
    if (take_value(args, i, "--data-dir", o.data_dir, err)) continue;
    if (!err.empty()) return usage_error(err);
    if (args[i] == "--node") {
      o.node = true;
      continue;
    }
    if (args[i] == "--stdin") {
      o.stdin_source = true;
      continue;
    }
    if (take_value(args, i, "--stdin-format", o.stdin_format, err)) {
      if (o.stdin_format != "syslog" && o.stdin_format != "raw" && o.stdin_format != "jsonl")
        return usage_error("start: --stdin-format must be syslog, raw or jsonl");
      continue;
    }
    if (!err.empty()) return usage_error(err);
    if (take_value(args, i, "--stdin-source", o.stdin_to, err)) continue;
    if (!err.empty()) return usage_error(err);
    return usage_error("start: unknown option '" + args[i] + "'");
  }
  return run_start(o);
}

int cmd_analyze(const std::vector<std::string>& args) {
  analyze_options o;
  bool have_input = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string err, value;
    if (take_value(args, i, "--format", o.format, err)) continue;
    if (!err.empty()) return usage_error(err);
    if (take_value(args, i, "--config", o.config_file, err)) continue;
    if (!err.empty()) return usage_error(err);
    if (take_value(args, i, "--source", o.source, err)) continue;
    if (!err.empty()) return usage_error(err);
    if (take_value(args, i, "--year", value, err)) {
      char* end = nullptr;
      const long y = std::strtol(value.c_str(), &end, 10);
      // Event times are int64 nanoseconds: they end in April 2262.
      if (end == value.c_str() || *end != '\0' || y < 1970 || y > 2261)
        return usage_error("--year needs a year between 1970 and 2261, not '" + value + "'");
      o.year = static_cast<int>(y);
      continue;
    }
    if (!err.empty()) return usage_error(err);
    if (args[i] == "--no-summary") {
      o.summary = false;
      continue;
    }
    if (args[i] != "-" && args[i].rfind("--", 0) == 0)
      return usage_error("analyze: unknown option '" + args[i] + "'");
    if (have_input) return usage_error("analyze takes one input (FILE or -)");
    o.input = args[i];
    have_input = true;
  }
  if (!have_input) return usage_error("analyze needs an input: a file or - for stdin");
  return run_analyze(o);
}

}  // namespace

int run_validate_config(const std::string& file) {
  auto loaded = load_settings_or_report(file);
  if (!loaded) return 2;
  std::printf("%s: ok\n", file.c_str());
  return 0;
}

int run_config(const std::vector<std::string>& args) {
  if (args.empty()) return usage_error("config needs a subcommand: show or schema");
  if (args[0] == "schema" && args.size() == 1) {
    std::printf("%s", config::describe_schema().c_str());
    return 0;
  }
  if (args[0] == "show") {
    std::string file;
    for (std::size_t i = 1; i < args.size(); ++i) {
      std::string err;
      if (take_value(args, i, "--config", file, err)) continue;
      return usage_error(err.empty() ? "config show: unknown option '" + args[i] + "'" : err);
    }
    auto loaded = load_settings_or_report(file);
    if (!loaded) return 2;
    std::printf("%s", config::to_yaml(*loaded).c_str());
    return 0;
  }
  return usage_error("unknown config subcommand '" + args[0] + "'");
}

int run_kinds() {
  std::printf("supervisor\n    a supervisor (strategy, max_restarts, within, children)\n");
  for (const auto& k : actors::builtin_catalog().kinds())
    std::printf("%s\n    %s\n", k.name.c_str(), k.description.c_str());
  return 0;
}

int run_cli(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("no command given");
  const std::string cmd = args.front();
  args.erase(args.begin());
  if (cmd == "--version" || cmd == "version") {
    std::printf("seerflow %s\n", SEERFLOW_VERSION);
    return 0;
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    std::printf("%s", usage_text);
    return 0;
  }
  if (cmd == "start") return cmd_start(args);
  // `seerflow --node --config node.yaml` is `seerflow start --node --config node.yaml`.
  if (cmd == "--node") {
    args.insert(args.begin(), "--node");
    return cmd_start(args);
  }
  if (cmd == "analyze") return cmd_analyze(args);
  if (cmd == "validate-config") {
    if (args.size() != 1) return usage_error("validate-config takes exactly one FILE");
    return run_validate_config(args[0]);
  }
  if (cmd == "kinds") return run_kinds();
  if (cmd == "query") return run_query(args, false);
  if (cmd == "rules") return run_rules(args);
  if (cmd == "status") return run_status(args);
  if (cmd == "console") return run_console(args);
  if (cmd == "feedback") return run_feedback(args);
  if (cmd == "templates") return run_templates(args);
  if (cmd == "export") return run_query(args, true);
  if (cmd == "config") return run_config(args);
  return usage_error("unknown command '" + cmd + "'");
}

}  // namespace seerflow::app
