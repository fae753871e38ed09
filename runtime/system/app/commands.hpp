#pragma once
// The subcommands of `seerflow`. Each returns the process exit code: 0 success, 1 a runtime
// failure, 2 a usage or configuration error.
#include <optional>
#include <string>
#include <vector>

namespace seerflow::app {

struct start_options {
  std::string config_file;              // "" = built-in defaults
  std::string data_dir;                 // "" = from config
  bool stdin_source = false;            // --stdin: stdin lines also feed a source
  std::string stdin_format = "syslog";  // --stdin-format syslog|raw|jsonl
  std::string stdin_to;                 // --stdin-source NAME; "" = receivers.syslog.source
  bool node = false;                    // --node: join a cluster (cluster.* settings)
};

struct analyze_options {
  std::string input;  // path or "-" for stdin
  std::string format = "syslog";
  std::string config_file;
  std::string source = "analyze";
  std::optional<int> year;
  bool summary = true;
};

int run_start(const start_options& opts);
int run_analyze(const analyze_options& opts);
int run_validate_config(const std::string& file);
int run_kinds();
// `query SUBJECT ...` and (export_mode) `export SUBJECT ...`; args start with the subject.
int run_query(const std::vector<std::string>& args, bool export_mode);
// `rules validate|list|test ...`; args start with the subcommand.
int run_rules(const std::vector<std::string>& args);
// `status [--json] [--url U] [--token T] [--config F] [--data-dir D]`: exit 0 when healthy.
int run_status(const std::vector<std::string>& args);
// `console tree|top|entity VALUE|alerts [--watch S] [--json] ...`.
int run_console(const std::vector<std::string>& args);
// `feedback ALERT_ID tp|fp [--note TEXT]`; args start with the alert id.
int run_feedback(const std::vector<std::string>& args);
// `templates prune ...`; args start with the subcommand.
int run_templates(const std::vector<std::string>& args);

}  // namespace seerflow::app
