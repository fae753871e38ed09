// `seerflow templates prune [--older-than 30d] [--max-events N] [--dry-run]`: removes templates
// unseen since the cutoff from the store (runtime/store/template_prune.hpp) and prints what it
// removed. It writes beside a running agent: the agent's next commit waits for it.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/backend/open_store.hpp"
#include "runtime/query/time_arg.hpp"
#include "runtime/store/template_prune.hpp"
#include "runtime/system/app/commands.hpp"
#include "runtime/system/app/store_path.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/clock.hpp"

namespace seerflow::app {
namespace {

constexpr const char* templates_usage =
    "usage:\n"
    "  seerflow templates prune [--older-than 30d] [--max-events N] [--dry-run] [--json]\n"
    "      removes templates not seen for --older-than (default 30d) from the store; with\n"
    "      --max-events, only those with at most N events. Stored events of a removed\n"
    "      template keep their text and lose the link to it. --dry-run changes nothing.\n"
    "store: --db FILE, or --data-dir DIR, or --config FILE (its storage.path).\n";

int fail(const std::string& msg, int code = 2) {
  std::fprintf(stderr, "seerflow: %s\n", msg.c_str());
  if (code == 2) std::fprintf(stderr, "\n%s", templates_usage);
  return code;
}

int prune(const std::vector<std::string>& args) {
  std::string db_arg, data_dir, config;
  std::int64_t older_than_ns = 30LL * 86400 * 1'000'000'000;
  store::prune_options o;
  bool json_out = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    std::string name = args[i], value;
    const auto eq = name.find('=');
    bool has_value = false;
    if (name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      has_value = true;
    }
    if (name == "--dry-run" || name == "--json") {
      if (has_value) return fail(name + " takes no value");
      (name == "--dry-run" ? o.dry_run : json_out) = true;
      continue;
    }
    if (name != "--older-than" && name != "--max-events" && name != "--db" &&
        name != "--data-dir" && name != "--config")
      return fail("unknown argument '" + args[i] + "'");
    if (!has_value) {
      if (i + 1 >= args.size()) return fail(name + " needs a value");
      value = args[++i];
    }
    if (name == "--older-than") {
      const auto d = query::parse_duration_ns(value);
      if (!d) return fail("--older-than: '" + value + "' is not a duration (90s, 15m, 1h, 30d)");
      older_than_ns = *d;
    } else if (name == "--max-events") {
      char* end = nullptr;
      const long long v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || v < 0 || value[0] == '-')
        return fail("--max-events needs a count, not '" + value + "'");
      o.max_events = v;
    } else if (name == "--db") {
      db_arg = value;
    } else if (name == "--data-dir") {
      data_dir = value;
    } else {
      config = value;
    }
  }
  std::string err;
  const auto target = store_target(db_arg, data_dir, config, err);
  if (!target) return fail(err);
  o.unseen_since_ns = util::wall_now_ns() - older_than_ns;
  try {
    auto reader = backend::open_reader(*target, backend::access::read_write);
    if (!reader) return fail("no store at " + target->path, 1);
    const auto r = reader->prune_templates(o);
    const char* verb = o.dry_run ? "would remove" : "removed";
    for (const auto& t : r.templates) {
      if (json_out) {
        const auto line = nlohmann::ordered_json{
            {"template_id", t.template_id},
            {"source", t.source},
            {"template", t.text},
            {"events", t.event_count},
            {"last_seen", util::format_rfc3339(t.last_seen_ns)},
            {"dry_run",
             o.dry_run}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        std::printf("%s\n", line.c_str());
      } else {
        std::printf("%s %llu (%lld events, last seen %s, source %s): %s\n", verb,
                    static_cast<unsigned long long>(t.template_id),
                    static_cast<long long>(t.event_count),
                    util::format_rfc3339(t.last_seen_ns).c_str(), t.source.c_str(), t.text.c_str());
      }
    }
    std::fprintf(stderr, "%s %zu templates unseen since %s; %lld stored events %s\n", verb,
                 r.templates.size(), util::format_rfc3339(o.unseen_since_ns).c_str(),
                 static_cast<long long>(r.events_unlinked),
                 o.dry_run ? "would lose their template link" : "lost their template link");
    return 0;
  } catch (const std::exception& e) {
    return fail(std::string("templates prune failed: ") + e.what(), 1);
  }
}

}  // namespace

int run_templates(const std::vector<std::string>& args) {
  if (args.empty()) return fail("templates needs a subcommand: prune");
  if (args[0] == "--help" || args[0] == "help") {
    std::printf("%s", templates_usage);
    return 0;
  }
  if (args[0] != "prune") return fail("unknown subcommand '" + args[0] + "'");
  return prune(args);
}

}  // namespace seerflow::app
