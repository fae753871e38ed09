// `seerflow query events|alerts|templates|rules|timeline` and `seerflow export events|alerts`: read
// the store directly (read-only, beside a running agent) and print JSON lines or a table.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "runtime/backend/open_store.hpp"
#include "runtime/parse/syslog_names.hpp"
#include "runtime/query/alert_query.hpp"
#include "runtime/query/entity_match.hpp"
#include "runtime/query/event_query.hpp"
#include "runtime/query/graph_query.hpp"
#include "runtime/query/query_error.hpp"
#include "runtime/query/rule_query.hpp"
#include "runtime/query/store_reader.hpp"
#include "runtime/query/template_query.hpp"
#include "runtime/query/time_arg.hpp"
#include "runtime/store/store_error.hpp"
#include "runtime/system/app/commands.hpp"
#include "runtime/system/app/store_path.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/clock.hpp"

namespace seerflow::app {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* query_usage =
    "usage:\n"
    "  seerflow query events [--last 1h | --since T] [--until T] [--source S] [--host H]\n"
    "                        [--app A] [--template ID] [--severity LEVEL] [--entity VALUE]\n"
    "                        [--search TEXT] [--limit N] [--oldest-first] [--json]\n"
    "  seerflow query alerts [--last 1h | --since T] [--until T] [--type KIND] [--tactic T]\n"
    "                        [--technique TNNNN] [--rule R] [--entity VALUE]\n"
    "                        [--severity LEVEL] [--limit N] [--json]\n"
    "  seerflow query templates [--source S] [--new-since T | --new-last 1d] [--limit N] [--json]\n"
    "  seerflow query rules [--type sigma|correlation] [--rule R] [--limit N] [--json]\n"
    "  seerflow query timeline ENTITY [--last 1h | --since T] [--until T] [--limit N] [--json]\n"
    "  seerflow query graph [--entity VALUE] [--type RELATION] [--limit N] [--json]\n"
    "  seerflow export events|alerts --format json|csv --output FILE [--since T] [--until T]\n"
    "                                [other filters of query]\n"
    "store: --db FILE, or --data-dir DIR, or --config FILE (its storage.path, or its\n"
    "       PostgreSQL server with storage.backend: postgresql); default: the zero-config\n"
    "       data directory.\n"
    "T: 2026-11-21, 2026-11-21T10:00:00Z, 2026-11-21 10:00:00+01:00 or @UNIXSECONDS.\n"
    "ENTITY/VALUE: a canonical value (198.51.100.23, root, web-prod-01), optionally typed\n"
    "       (ip:, user:, host:, file:, domain:, process:).\n"
    "--search: full-text (FTS5) syntax: words, \"a phrase\", prefix*, AND/OR/NOT.\n";

int fail(const std::string& msg, int code = 2) {
  std::fprintf(stderr, "seerflow: %s\n", msg.c_str());
  if (code == 2) std::fprintf(stderr, "\n%s", query_usage);
  return code;
}

// The options every query and export takes; each command uses the ones it needs.
struct common_args {
  std::string db, data_dir, config;
  std::optional<std::int64_t> since_ns, until_ns, new_since_ns;
  std::string source, host, app, entity, search, type, tactic, technique, rule, severity;
  std::optional<std::uint64_t> template_id;
  std::size_t limit = 100;
  bool json_out = false, oldest_first = false;
  std::string format, output;
  std::vector<std::string> positional;
};

std::optional<std::string> parse_args(const std::vector<std::string>& args, std::size_t from,
                                      common_args& a) {
  const std::int64_t now = util::wall_now_ns();
  for (std::size_t i = from; i < args.size(); ++i) {
    const std::string& arg = args[i];
    std::string name = arg, value;
    const bool is_opt = arg.rfind("--", 0) == 0;
    const auto eq = arg.find('=');
    bool inline_value = false;
    if (is_opt && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      inline_value = true;
    }
    const auto need = [&]() -> bool {
      if (inline_value) return true;
      if (i + 1 >= args.size()) return false;
      value = args[++i];
      return true;
    };
    if (!is_opt) {
      a.positional.push_back(arg);
      continue;
    }
    if (name == "--json") {
      a.json_out = true;
      continue;
    }
    if (name == "--oldest-first") {
      a.oldest_first = true;
      continue;
    }
    if (!need()) return name + " needs a value";
    const auto time = [&](std::optional<std::int64_t>& out) -> std::optional<std::string> {
      out = query::parse_time_ns(value);
      if (!out)
        return name + ": '" + value + "' is not a time (2026-11-21T10:00:00Z, @UNIXSECONDS)";
      return std::nullopt;
    };
    const auto ago = [&](std::optional<std::int64_t>& out) -> std::optional<std::string> {
      const auto d = query::parse_duration_ns(value);
      if (!d) return name + ": '" + value + "' is not a duration (90s, 15m, 1h, 2d, 1w, 1h30m)";
      out = now - *d;
      return std::nullopt;
    };
    std::optional<std::string> err;
    if (name == "--db")
      a.db = value;
    else if (name == "--data-dir")
      a.data_dir = value;
    else if (name == "--config")
      a.config = value;
    else if (name == "--since")
      err = time(a.since_ns);
    else if (name == "--until")
      err = time(a.until_ns);
    else if (name == "--last")
      err = ago(a.since_ns);
    else if (name == "--new-since")
      err = time(a.new_since_ns);
    else if (name == "--new-last")
      err = ago(a.new_since_ns);
    else if (name == "--source")
      a.source = value;
    else if (name == "--host")
      a.host = value;
    else if (name == "--app")
      a.app = value;
    else if (name == "--entity")
      a.entity = value;
    else if (name == "--search")
      a.search = value;
    else if (name == "--type")
      a.type = value;
    else if (name == "--tactic")
      a.tactic = value;
    else if (name == "--technique")
      a.technique = value;
    else if (name == "--rule")
      a.rule = value;
    else if (name == "--severity")
      a.severity = value;
    else if (name == "--format")
      a.format = value;
    else if (name == "--output")
      a.output = value;
    else if (name == "--template") {
      char* end = nullptr;
      errno = 0;
      const unsigned long long v = std::strtoull(value.c_str(), &end, 0);
      if (value.empty() || *end != '\0' || errno != 0 || value[0] == '-')
        return "--template needs a template id (decimal, or hex with 0x), not '" + value + "'";
      a.template_id = v;
    } else if (name == "--limit") {
      char* end = nullptr;
      const long long v = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || v < 0)
        return "--limit needs a count (0: no limit), not '" + value + "'";
      a.limit = static_cast<std::size_t>(v);
    } else
      return "unknown option '" + name + "'";
    if (err) return err;
  }
  return std::nullopt;
}

std::optional<int> severity_from_arg(const std::string& s) {
  if (s.empty()) return std::nullopt;
  if (s.size() == 1 && s[0] >= '0' && s[0] <= '7') return s[0] - '0';
  const int v = parse::severity_from_text(s);
  if (v < 0) return std::nullopt;
  return v;
}

json event_json(const query::event_row& r) {
  json j;
  j["id"] = r.id;
  j["time"] = util::format_rfc3339(r.time_ns);
  j["source"] = r.source;
  if (!r.host.empty()) j["host"] = r.host;
  if (!r.app.empty()) j["app"] = r.app;
  if (!r.procid.empty()) j["procid"] = r.procid;
  if (r.facility) j["facility"] = std::string(parse::facility_name(*r.facility));
  if (r.severity) j["severity"] = std::string(parse::severity_name(*r.severity));
  j["message"] = r.message;
  if (r.template_id) {
    j["template_id"] = *r.template_id;
    j["template"] = r.template_text;
  }
  if (!r.fields_json.empty()) j["fields"] = json::parse(r.fields_json, nullptr, false);
  return j;
}

json alert_json(const query::alert_row& r) {
  json j;
  j["id"] = r.id;
  j["time"] = util::format_rfc3339(r.time_ns);
  if (r.last_time_ns != r.time_ns) j["last_time"] = util::format_rfc3339(r.last_time_ns);
  j["kind"] = r.kind;
  j["severity"] = r.severity;
  j["rule"] = r.rule;
  j["title"] = r.title;
  j["source"] = r.source;
  j["count"] = r.dedup_count;
  j["tactics"] = r.tactics;
  j["techniques"] = r.techniques;
  j["entities"] =
      r.entities_json.empty() ? json::array() : json::parse(r.entities_json, nullptr, false);
  if (!r.details_json.empty()) j["details"] = json::parse(r.details_json, nullptr, false);
  if (!r.verdict.empty()) j["verdict"] = r.verdict;
  return j;
}

json template_json(const query::template_row& r) {
  json j;
  j["template_id"] = r.template_id;
  j["source"] = r.source;
  j["template"] = r.text;
  j["events"] = r.event_count;
  j["first_seen"] = util::format_rfc3339(r.first_seen_ns);
  j["last_seen"] = util::format_rfc3339(r.last_seen_ns);
  return j;
}

void print_json(const json& j) {
  const auto s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

// One table row: fixed-width columns, the last one cut to keep lines readable on a terminal.
std::string cell(std::string s, std::size_t width) {
  for (auto& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (width > 0 && s.size() > width) {
    s.resize(width > 1 ? width - 1 : width);
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
    if (!s.empty() && static_cast<unsigned char>(s.back()) >= 0xC0) s.pop_back();
    s += "~";
  }
  if (width > 0 && s.size() < width) s.resize(width, ' ');
  return s;
}

void print_line(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

query::event_filter event_filter_of(const common_args& a) {
  query::event_filter f;
  f.since_ns = a.since_ns;
  f.until_ns = a.until_ns;
  f.source = a.source;
  f.host = a.host;
  f.app = a.app;
  f.template_id = a.template_id;
  f.max_severity = severity_from_arg(a.severity);
  f.entity = a.entity;
  f.search = a.search;
  f.limit = a.limit;
  f.oldest_first = a.oldest_first;
  return f;
}

query::alert_filter alert_filter_of(const common_args& a) {
  query::alert_filter f;
  f.since_ns = a.since_ns;
  f.until_ns = a.until_ns;
  f.kind = a.type;
  f.tactic = a.tactic;
  f.technique = a.technique;
  f.rule = a.rule;
  f.entity = a.entity;
  f.min_severity = a.severity;
  f.limit = a.limit;
  f.oldest_first = a.oldest_first;
  return f;
}

int query_events(query::store_reader& db, const common_args& a) {
  if (!a.severity.empty() && !severity_from_arg(a.severity))
    return fail("--severity: '" + a.severity + "' is not a syslog severity (emerg .. debug, 0-7)");
  if (!a.json_out)
    print_line(cell("TIME", 24) + " " + cell("SOURCE", 10) + " " + cell("HOST", 14) + " " +
               cell("APP", 10) + " " + cell("SEV", 7) + " MESSAGE");
  db.events(event_filter_of(a), [&](const query::event_row& r) {
    if (a.json_out) {
      print_json(event_json(r));
    } else {
      print_line(cell(util::format_rfc3339(r.time_ns), 24) + " " + cell(r.source, 10) + " " +
                 cell(r.host, 14) + " " + cell(r.app, 10) + " " +
                 cell(r.severity ? std::string(parse::severity_name(*r.severity)) : "", 7) + " " +
                 cell(r.message, 120));
    }
    return true;
  });
  return 0;
}

int query_alerts(query::store_reader& db, const common_args& a) {
  if (!a.json_out)
    print_line(cell("TIME", 24) + " " + cell("SEVERITY", 8) + " " + cell("KIND", 11) + " " +
               cell("COUNT", 5) + " " + cell("VERDICT", 7) + " " + cell("TACTICS", 24) + " TITLE");
  db.alerts(alert_filter_of(a), [&](const query::alert_row& r) {
    if (a.json_out) {
      print_json(alert_json(r));
    } else {
      std::string tactics;
      for (const auto& t : r.tactics) tactics += (tactics.empty() ? "" : ",") + t;
      print_line(cell(util::format_rfc3339(r.time_ns), 24) + " " + cell(r.severity, 8) + " " +
                 cell(r.kind, 11) + " " + cell(std::to_string(r.dedup_count), 5) + " " +
                 cell(r.verdict.empty() ? "-" : r.verdict, 7) + " " + cell(tactics, 24) + " " +
                 cell(r.title, 100));
    }
    return true;
  });
  return 0;
}

int query_templates(query::store_reader& db, const common_args& a) {
  query::template_filter f;
  f.source = a.source;
  f.first_seen_since_ns = a.new_since_ns;
  f.newest_first = a.new_since_ns.has_value();
  f.limit = a.limit;
  if (!a.json_out)
    print_line(cell("TEMPLATE_ID", 20) + " " + cell("EVENTS", 10) + " " + cell("FIRST SEEN", 24) +
               " " + cell("SOURCE", 10) + " TEMPLATE");
  db.templates(f, [&](const query::template_row& r) {
    if (a.json_out)
      print_json(template_json(r));
    else
      print_line(cell(std::to_string(r.template_id), 20) + " " +
                 cell(std::to_string(r.event_count), 10) + " " +
                 cell(util::format_rfc3339(r.first_seen_ns), 24) + " " + cell(r.source, 10) + " " +
                 cell(r.text, 120));
    return true;
  });
  return 0;
}

json rule_json(const query::rule_row& r) {
  json j;
  j["rule"] = r.rule;
  j["kind"] = r.kind;
  j["title"] = r.title;
  j["enabled"] = r.enabled;
  j["matches"] = r.match_count;
  j["first_fired"] = util::format_rfc3339(r.first_fired_ns);
  j["last_fired"] = util::format_rfc3339(r.last_fired_ns);
  return j;
}

// Rules that have fired, with how often and when last (the store keeps this from the alerts).
int query_rules(query::store_reader& db, const common_args& a) {
  query::rule_filter f;
  f.kind = a.type;
  f.rule = a.rule;
  f.limit = a.limit;
  if (!a.json_out)
    print_line(cell("LAST FIRED", 24) + " " + cell("MATCHES", 8) + " " + cell("KIND", 11) + " " +
               cell("ENABLED", 7) + " " + cell("RULE", 36) + " TITLE");
  db.rules(f, [&](const query::rule_row& r) {
    if (a.json_out)
      print_json(rule_json(r));
    else
      print_line(cell(util::format_rfc3339(r.last_fired_ns), 24) + " " +
                 cell(std::to_string(r.match_count), 8) + " " + cell(r.kind, 11) + " " +
                 cell(r.enabled ? "yes" : "no", 7) + " " + cell(r.rule, 36) + " " +
                 cell(r.title, 100));
    return true;
  });
  return 0;
}

// The entity graph's stored relations (RELATION: authenticated_from, logged_into, has_ip,
// accessed, resolved_to, spawned_by), most frequent first.
int query_graph(query::store_reader& db, const common_args& a) {
  query::graph_filter f;
  if (!a.entity.empty()) {
    auto e = query::split_entity_arg(a.entity);
    f.entity_type = e.type;
    f.entity_value = e.value;
  }
  f.edge_type = a.type;
  f.limit = a.limit;
  if (!a.json_out)
    print_line(cell("FROM", 30) + " " + cell("RELATION", 18) + " " + cell("TO", 30) + " " +
               cell("COUNT", 8) + " " + cell("FIRST SEEN", 24) + " LAST SEEN");
  db.graph_edges(f, [&](const query::graph_edge_row& r) {
    if (a.json_out)
      print_json(json{{"from", {{"type", r.from_type}, {"value", r.from_value}}},
                      {"relation", r.edge_type},
                      {"to", {{"type", r.to_type}, {"value", r.to_value}}},
                      {"count", r.count},
                      {"first_seen", util::format_rfc3339(r.first_seen_ns)},
                      {"last_seen", util::format_rfc3339(r.last_seen_ns)}});
    else
      print_line(cell(r.from_type + ":" + r.from_value, 30) + " " + cell(r.edge_type, 18) + " " +
                 cell(r.to_type + ":" + r.to_value, 30) + " " + cell(std::to_string(r.count), 8) +
                 " " + cell(util::format_rfc3339(r.first_seen_ns), 24) + " " +
                 util::format_rfc3339(r.last_seen_ns));
    return true;
  });
  return 0;
}

// Events and alerts of one entity, merged in event time.
int query_timeline(query::store_reader& db, common_args a) {
  if (a.positional.size() != 1) return fail("query timeline takes one ENTITY");
  a.entity = a.positional[0];
  a.oldest_first = true;
  std::vector<std::pair<std::int64_t, json>> items;
  db.events(event_filter_of(a), [&](const query::event_row& r) {
    json j{{"kind", "event"}};
    j.update(event_json(r));
    items.emplace_back(r.time_ns, std::move(j));
    return true;
  });
  db.alerts(alert_filter_of(a), [&](const query::alert_row& r) {
    auto j = alert_json(r);
    j["alert_kind"] = j["kind"];
    j["kind"] = "alert";
    items.emplace_back(r.time_ns, std::move(j));
    return true;
  });
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  if (a.limit > 0 && items.size() > a.limit) items.resize(a.limit);
  for (const auto& [t, j] : items) {
    if (a.json_out) {
      print_json(j);
    } else if (j["kind"] == "event") {
      print_line(cell(util::format_rfc3339(t), 24) + " event " +
                 cell(j.value("host", std::string()), 14) + " " +
                 cell(j.value("app", std::string()), 10) + " " +
                 cell(j.value("message", std::string()), 120));
    } else {
      print_line(cell(util::format_rfc3339(t), 24) + " ALERT " +
                 cell(j.value("severity", std::string()), 14) + " " +
                 cell(j.value("alert_kind", std::string()), 10) + " " +
                 cell(j.value("title", std::string()), 120));
    }
  }
  return 0;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

class progress {
 public:
  explicit progress(std::size_t total) : total_(total), tty_(::isatty(STDERR_FILENO) == 1) {}
  void tick() {
    ++done_;
    if (!tty_ || done_ % 10000 != 0) return;
    draw();
  }
  void finish() {
    if (!tty_) return;
    draw();
    std::fputc('\n', stderr);
  }

 private:
  void draw() const {
    const double f = total_ ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
    const int filled = static_cast<int>(f * 30);
    std::fprintf(stderr, "\r[%-30s] %zu/%zu",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(), done_, total_);
    std::fflush(stderr);
  }
  std::size_t total_, done_ = 0;
  bool tty_;
};

int export_rows(query::store_reader& db, const common_args& a, const std::string& what) {
  if (a.format != "json" && a.format != "csv") return fail("export needs --format json or csv");
  if (a.output.empty()) return fail("export needs --output FILE");
  const std::string tmp = a.output + ".partial";
  std::FILE* out = std::fopen(tmp.c_str(), "wb");
  if (!out) return fail("cannot write " + tmp + ": " + std::strerror(errno), 1);
  const bool csv = a.format == "csv";
  const auto write = [&](const std::string& s) {
    std::fwrite(s.data(), 1, s.size(), out);
    std::fputc('\n', out);
  };
  // Counting first costs one more pass, only worth it when someone watches the bar.
  std::size_t total = 0;
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  auto limited = a;
  std::size_t rows = 0;
  if (what == "events") {
    auto f = event_filter_of(limited);
    f.limit = a.limit == 100 ? 0 : a.limit;  // export everything unless asked otherwise
    f.oldest_first = true;
    if (tty) db.events(f, [&](const auto&) { return ++total, true; });
    progress bar(total);
    if (csv) write("id,time,source,host,app,procid,severity,template_id,message");
    rows = db.events(f, [&](const query::event_row& r) {
      if (csv)
        write(std::to_string(r.id) + "," + util::format_rfc3339(r.time_ns) + "," +
              csv_field(r.source) + "," + csv_field(r.host) + "," + csv_field(r.app) + "," +
              csv_field(r.procid) + "," +
              (r.severity ? std::string(parse::severity_name(*r.severity)) : "") + "," +
              (r.template_id ? std::to_string(*r.template_id) : "") + "," + csv_field(r.message));
      else
        write(event_json(r).dump(-1, ' ', false, json::error_handler_t::replace));
      bar.tick();
      return true;
    });
    bar.finish();
  } else {
    auto f = alert_filter_of(limited);
    f.limit = a.limit == 100 ? 0 : a.limit;
    f.oldest_first = true;
    if (tty) db.alerts(f, [&](const auto&) { return ++total, true; });
    progress bar(total);
    if (csv) write("id,time,last_time,kind,severity,rule,title,source,count,tactics,techniques");
    rows = db.alerts(f, [&](const query::alert_row& r) {
      if (csv) {
        std::string tactics, techniques;
        for (const auto& t : r.tactics) tactics += (tactics.empty() ? "" : ";") + t;
        for (const auto& t : r.techniques) techniques += (techniques.empty() ? "" : ";") + t;
        write(csv_field(r.id) + "," + util::format_rfc3339(r.time_ns) + "," +
              util::format_rfc3339(r.last_time_ns) + "," + csv_field(r.kind) + "," +
              csv_field(r.severity) + "," + csv_field(r.rule) + "," + csv_field(r.title) + "," +
              csv_field(r.source) + "," + std::to_string(r.dedup_count) + "," + csv_field(tactics) +
              "," + csv_field(techniques));
      } else {
        write(alert_json(r).dump(-1, ' ', false, json::error_handler_t::replace));
      }
      bar.tick();
      return true;
    });
    bar.finish();
  }
  const bool ok = std::fflush(out) == 0 && ::fsync(::fileno(out)) == 0;
  std::fclose(out);
  if (!ok || std::rename(tmp.c_str(), a.output.c_str()) != 0) {
    std::remove(tmp.c_str());
    return fail("cannot write " + a.output + ": " + std::strerror(errno), 1);
  }
  std::fprintf(stderr, "exported %zu %s to %s\n", rows, what.c_str(), a.output.c_str());
  return 0;
}

std::unique_ptr<query::store_reader> open_store(const common_args& a, int& code) {
  std::string err;
  const auto target = store_target(a.db, a.data_dir, a.config, err);
  if (!target) {
    code = fail(err);
    return nullptr;
  }
  try {
    auto reader = backend::open_reader(*target);
    if (!reader)
      code = fail(
          "no store at " + target->path + " (has seerflow run with this data directory? see --db)",
          1);
    return reader;
  } catch (const std::exception& e) {
    code = fail(e.what(), 1);
    return nullptr;
  }
}

}  // namespace

int run_query(const std::vector<std::string>& args, bool export_mode) {
  if (args.empty())
    return fail(export_mode
                    ? "export needs what to export: events or alerts"
                    : "query needs a subject: events, alerts, templates, rules, timeline or graph");
  const std::string what = args[0];
  common_args a;
  if (auto err = parse_args(args, 1, a)) return fail(*err);
  const bool known = export_mode ? (what == "events" || what == "alerts")
                                 : (what == "events" || what == "alerts" || what == "templates" ||
                                    what == "rules" || what == "timeline" || what == "graph");
  if (!known) return fail("unknown subject '" + what + "'");
  if (what != "timeline" && !a.positional.empty())
    return fail("unexpected argument '" + a.positional[0] + "'");
  int code = 0;
  auto db = open_store(a, code);
  if (!db) return code;
  try {
    if (export_mode) return export_rows(*db, a, what);
    if (what == "events") return query_events(*db, a);
    if (what == "alerts") return query_alerts(*db, a);
    if (what == "templates") return query_templates(*db, a);
    if (what == "rules") return query_rules(*db, a);
    if (what == "graph") return query_graph(*db, a);
    return query_timeline(*db, a);
  } catch (const query::query_error& e) {
    return fail(e.what(), 2);
  } catch (const std::exception& e) {
    return fail(std::string("query failed: ") + e.what(), 1);
  }
}

}  // namespace seerflow::app
