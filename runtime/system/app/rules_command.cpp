// `seerflow rules validate|list|test`: the Sigma engine from the command line, for rule authors
// (does my rule load, and what does it match?) and for operators (what is loaded?).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "rules/engine/correlation.hpp"
#include "rules/engine/rule_set.hpp"
#include "rules/match/rule_library.hpp"
#include "runtime/parse/json_flattener.hpp"
#include "runtime/query/alert_query.hpp"
#include "runtime/query/time_arg.hpp"
#include "runtime/system/app/commands.hpp"

namespace seerflow::app {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* rules_usage =
    "usage:\n"
    "  seerflow rules validate PATH... [--json]\n"
    "        load rule files or directories; one verdict per rule with the reason of each\n"
    "        rejection; exit 0 only when every rule loads\n"
    "  seerflow rules list [--dir DIR]... [--no-bundled] [--tactic T] [--technique T]\n"
    "                      [--level LEVEL] [--json]\n"
    "        the rules a node would load (bundled and --dir), filtered\n"
    "  seerflow rules test RULE_FILE EVENTS.jsonl\n"
    "        like grep: prints each event (a JSON object per line) the file's rules match, then\n"
    "        the correlations that fire (event time from 'timestamp', '@timestamp' or 'time');\n"
    "        exit 0 if anything matched, 1 if nothing did, 2 if a rule was rejected\n";

int fail(const std::string& msg, int code = 2) {
  std::fprintf(stderr, "seerflow: %s\n", msg.c_str());
  if (code == 2) std::fprintf(stderr, "\n%s", rules_usage);
  return code;
}

void print(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json rule_json(const rules::rule_info& r) {
  json j;
  j["id"] = r.id;
  j["title"] = r.title;
  j["level"] = r.level;
  j["status"] = r.status;
  j["author"] = r.author;
  j["file"] = r.file;
  j["logsource"] = {{"product", r.source.product},
                    {"service", r.source.service},
                    {"category", r.source.category}};
  j["tactics"] = r.tactics;
  j["techniques"] = r.techniques;
  return j;
}

void add_path(rules::rule_set& rs, const std::string& p) {
  std::error_code ec;
  if (std::filesystem::is_directory(p, ec))
    rs.add_directory(p);
  else
    rs.add_file(p);
}

int validate(const std::vector<std::string>& paths, bool as_json) {
  if (paths.empty()) return fail("rules validate needs at least one file or directory");
  rules::rule_set rs;
  for (const auto& p : paths) {
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) return fail("no such file or directory: " + p, 2);
    add_path(rs, p);
  }
  rs.finalize();
  std::size_t ok = 0;
  for (const auto& r : rs.rules()) {
    ++ok;
    if (as_json) {
      json out{{"verdict", "loaded"}};
      out.update(rule_json(r.info));
      print(dump(out));
    } else {
      print("ok        " + r.info.file + "  " + r.info.id + "  " + r.info.title);
    }
  }
  for (const auto& c : rs.correlations()) {
    ++ok;
    if (as_json) {
      json out{{"verdict", "loaded"}, {"kind", "correlation"}};
      out.update(rule_json(c.info));
      print(dump(out));
    } else {
      print("ok        " + c.info.file + "  " + c.info.id + "  " + c.info.title + " (correlation)");
    }
  }
  for (const auto& r : rs.rejections()) {
    if (as_json)
      print(dump(json{
          {"verdict", "rejected"}, {"file", r.file}, {"id", r.rule_id}, {"reason", r.reason}}));
    else
      print("REJECTED  " + r.file + "  " + r.rule_id + ": " + r.reason);
  }
  std::fprintf(stderr, "%zu loaded, %zu rejected\n", ok, rs.rejections().size());
  return rs.rejections().empty() ? 0 : 1;
}

int list(const std::vector<std::string>& args) {
  rules::library_options opts;
  std::string tactic, technique, level;
  bool as_json = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    const auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string dir;
    if (a == "--json")
      as_json = true;
    else if (a == "--no-bundled")
      opts.bundled = false;
    else if (a == "--dir" && value(dir))
      opts.dirs.push_back(dir);
    else if (a == "--tactic" && value(tactic))
      tactic = query::normalise_tactic(tactic);
    else if (a == "--technique" && value(technique))
      technique = query::normalise_technique(technique);
    else if (a == "--level" && value(level)) {
    } else
      return fail("rules list: unknown or incomplete option '" + a + "'");
  }
  rules::library_report report;
  const auto rs = rules::load_library(opts, report);
  const auto wanted = [&](const rules::rule_info& r) {
    if (!level.empty() && r.level != level) return false;
    if (!tactic.empty() && std::find(r.tactics.begin(), r.tactics.end(), tactic) == r.tactics.end())
      return false;
    if (!technique.empty()) {
      bool any = false;
      for (const auto& t : r.techniques)
        any = any || t == technique || t.rfind(technique + ".", 0) == 0;
      if (!any) return false;
    }
    return true;
  };
  std::size_t shown = 0;
  const auto show = [&](const rules::rule_info& r, const char* kind) {
    if (!wanted(r)) return;
    ++shown;
    if (as_json) {
      json out{{"kind", kind}};
      out.update(rule_json(r));
      print(dump(out));
      return;
    }
    std::string tactics;
    for (const auto& t : r.tactics) tactics += (tactics.empty() ? "" : ",") + t;
    std::string line = r.id;
    line.resize(std::max<std::size_t>(line.size(), 37), ' ');
    std::string lv = r.level;
    lv.resize(std::max<std::size_t>(lv.size() + 1, 14), ' ');
    print(line + lv + r.title + (tactics.empty() ? "" : "  [" + tactics + "]"));
  };
  for (const auto& r : rs->rules()) show(r.info, "detection");
  for (const auto& c : rs->correlations()) show(c.info, "correlation");
  std::fprintf(stderr, "%zu rules shown; %zu loaded, %zu correlation rules, %zu rejected\n", shown,
               report.rules, report.correlations, report.rejected.size());
  return 0;
}

// Event time of a JSON event: its timestamp field when it has one, else its line number (in
// seconds), so correlations over a file without times still see an order.
std::int64_t event_time(const parse::json_flattener& f, std::size_t line_no) {
  for (const char* name : {"timestamp", "@timestamp", "time"})
    for (const auto& m : f.members)
      if (m.key == name) {
        if (auto t = query::parse_time_ns(m.value)) return *t;
        if (auto t = query::parse_time_ns("@" + m.value)) return *t;
      }
  return static_cast<std::int64_t>(line_no) * 1'000'000'000;
}

int test(const std::vector<std::string>& args) {
  if (args.size() != 2) return fail("rules test takes RULE_FILE EVENTS.jsonl");
  rules::rule_set rs;
  std::error_code ec;
  if (!std::filesystem::exists(args[0], ec)) return fail("no such rule file: " + args[0]);
  add_path(rs, args[0]);
  rs.finalize();
  if (!rs.rejections().empty()) {
    for (const auto& r : rs.rejections())
      std::fprintf(stderr, "REJECTED %s %s: %s\n", r.file.c_str(), r.rule_id.c_str(),
                   r.reason.c_str());
    return 2;
  }
  std::ifstream in(args[1], std::ios::binary);
  if (!in) return fail("cannot read " + args[1], 2);
  rules::field_view view(rs.fields());
  rules::match_scratch scratch;
  rules::correlation_engine corr(rs);
  std::vector<std::uint32_t> hits;
  std::vector<rules::correlation_result> fired;
  parse::json_flattener flat;
  std::size_t line_no = 0, matched = 0, bad = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (!flat.flatten(line)) {
      ++bad;
      std::fprintf(stderr, "%s:%zu: skipped, not a JSON object (%s %s)\n", args[1].c_str(), line_no,
                   std::string(flat.error_reason).c_str(), flat.error_detail.c_str());
      continue;
    }
    view.clear();
    for (std::size_t i = 0; i < flat.members.size(); ++i) {
      const auto k = flat.kinds[i];
      const auto kind = k == parse::json_kind::number    ? rules::value_kind::number
                        : k == parse::json_kind::boolean ? rules::value_kind::boolean
                        : k == parse::json_kind::null    ? rules::value_kind::null
                                                         : rules::value_kind::string;
      view.add(flat.members[i].key, flat.members[i].value, kind);
    }
    hits.clear();
    rs.evaluate(rs.all_rules(), view, scratch, hits);
    if (hits.empty()) continue;
    ++matched;
    print(line);
    const auto t = event_time(flat, line_no);
    for (const auto h : hits) corr.observe(h, view, t, fired);
  }
  for (const auto& c : fired) {
    const auto& r = rs.correlations()[c.correlation];
    json out{{"correlation", r.info.id}, {"title", r.info.title}};
    json groups = json::object();
    for (std::size_t i = 0; i < r.group_by.size() && i < c.group_values.size(); ++i)
      groups[r.group_by[i]] = c.group_values[i];
    out["group"] = groups;
    out["measured"] = c.measured;
    print(dump(out));
  }
  if (bad > 0) std::fprintf(stderr, "%zu lines were not JSON objects\n", bad);
  return matched > 0 || !fired.empty() ? 0 : 1;
}

}  // namespace

int run_rules(const std::vector<std::string>& args) {
  if (args.empty()) return fail("rules needs a subcommand: validate, list or test");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "validate") {
    std::vector<std::string> paths;
    bool as_json = false;
    for (const auto& a : rest) {
      if (a == "--json")
        as_json = true;
      else if (a.rfind("--", 0) == 0)
        return fail("rules validate: unknown option '" + a + "'");
      else
        paths.push_back(a);
    }
    return validate(paths, as_json);
  }
  if (args[0] == "list") return list(rest);
  if (args[0] == "test") return test(rest);
  if (args[0] == "--help" || args[0] == "help") {
    std::printf("%s", rules_usage);
    return 0;
  }
  return fail("unknown rules subcommand '" + args[0] + "'");
}

}  // namespace seerflow::app
