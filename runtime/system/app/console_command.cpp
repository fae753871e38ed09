// `seerflow status` and `seerflow console`: a node's health and its insides, read through its
// console API (actors/console_actor.hpp) from a terminal.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "runtime/system/app/commands.hpp"
#include "runtime/system/app/console_client.hpp"
#include "runtime/system/app/settings_loader.hpp"

namespace seerflow::app {

namespace {

using json = nlohmann::json;

struct client_args {
  std::string config_file, data_dir, url, token;
  bool as_json = false;
  double watch_s = 0;
  std::vector<std::string> positional;
};

bool parse_client_args(const std::vector<std::string>& args, client_args& a, std::string& err) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& s = args[i];
    auto value = [&](const char* name, std::string& out) {
      const std::string n(name);
      if (s == n) {
        if (i + 1 >= args.size()) {
          err = n + " needs a value";
          return true;
        }
        out = args[++i];
        return true;
      }
      if (s.rfind(n + "=", 0) == 0) {
        out = s.substr(n.size() + 1);
        return true;
      }
      return false;
    };
    std::string watch;
    if (value("--config", a.config_file) || value("--data-dir", a.data_dir) ||
        value("--url", a.url) || value("--token", a.token)) {
      if (!err.empty()) return false;
      continue;
    }
    if (value("--watch", watch)) {
      if (!err.empty()) return false;
      try {
        a.watch_s = std::stod(watch);
      } catch (...) {
        a.watch_s = -1;
      }
      if (!(a.watch_s > 0 && a.watch_s <= 3600)) {
        err = "--watch takes seconds between 0 and 3600";
        return false;
      }
      continue;
    }
    if (s == "--json") {
      a.as_json = true;
      continue;
    }
    if (s.rfind("--", 0) == 0) {
      err = "unknown option " + s;
      return false;
    }
    a.positional.push_back(s);
  }
  return true;
}

std::optional<console_target> target_of(const client_args& a, int& code) {
  auto cfg = load_settings_or_report(a.config_file);
  if (!cfg) {
    code = 2;
    return std::nullopt;
  }
  if (!a.data_dir.empty()) cfg->data_dir = a.data_dir;
  std::string why;
  auto t = find_console(*cfg, a.url, a.token, why);
  if (!t) {
    std::fprintf(stderr, "seerflow: %s\n", why.c_str());
    code = 1;
  }
  return t;
}

// GET + JSON parse, with the failure explained on stderr.
std::optional<json> get_json(const console_target& t, const std::string& target) {
  const auto r = console_get(t, target);
  if (r.status == 0) {
    std::fprintf(stderr, "seerflow: node unreachable: %s\n", r.error.c_str());
    return std::nullopt;
  }
  auto j = json::parse(r.body, nullptr, false);
  if (r.status != 200) {
    std::fprintf(stderr, "seerflow: %s answered %d: %s\n", target.c_str(), r.status,
                 j.is_object() ? j.value("error", r.body).c_str() : r.body.c_str());
    return std::nullopt;
  }
  if (j.is_discarded()) {
    std::fprintf(stderr, "seerflow: %s answered with something that is not JSON\n", target.c_str());
    return std::nullopt;
  }
  return j;
}

std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string num(const json& v) {
  if (v.is_null()) return "?";
  return v.dump();
}

int print_tree(const json& actors) {
  std::map<std::string, std::vector<const json*>> kids;
  for (const auto& a : actors["actors"]) kids[a.value("parent", "")].push_back(&a);
  std::function<void(const std::string&, int)> walk = [&](const std::string& parent, int depth) {
    for (const auto* a : kids[parent]) {
      std::printf("%*s%-*s %-12s mailbox %-6s restarts %s%s\n", depth * 2, "", 28 - depth * 2,
                  (*a)["name"].get<std::string>().c_str(), (*a)["kind"].get<std::string>().c_str(),
                  num((*a)["mailbox"]).c_str(), num((*a)["restarts"]).c_str(),
                  a->value("responding", true) ? "" : "  (not answering)");
      walk((*a)["name"].get<std::string>(), depth + 1);
    }
  };
  walk("", 0);
  return 0;
}

int print_top(const json& actors) {
  std::vector<const json*> v;
  for (const auto& a : actors["actors"]) v.push_back(&a);
  std::stable_sort(v.begin(), v.end(), [](const json* x, const json* y) {
    const auto mx = (*x)["mailbox"].is_number() ? (*x)["mailbox"].get<std::int64_t>() : -1;
    const auto my = (*y)["mailbox"].is_number() ? (*y)["mailbox"].get<std::int64_t>() : -1;
    return mx > my;
  });
  std::printf("%-8s %-9s %-28s %s\n", "MAILBOX", "RESTARTS", "ACTOR", "KIND");
  for (const auto* a : v)
    std::printf("%-8s %-9s %-28s %s\n", num((*a)["mailbox"]).c_str(), num((*a)["restarts"]).c_str(),
                (*a)["name"].get<std::string>().c_str(), (*a)["kind"].get<std::string>().c_str());
  return 0;
}

int run_view(const console_target& t, const client_args& a) {
  const std::string what = a.positional.empty() ? "tree" : a.positional[0];
  if (what == "tree" || what == "top") {
    auto j = get_json(t, "/api/actors");
    if (!j) return 1;
    if (a.as_json) return std::printf("%s\n", j->dump(2).c_str()), 0;
    return what == "tree" ? print_tree(*j) : print_top(*j);
  }
  if (what == "entity") {
    if (a.positional.size() < 2) {
      std::fprintf(stderr, "seerflow: console entity needs a value to look up\n");
      return 2;
    }
    auto j = get_json(t, "/api/entities?q=" + percent_encode(a.positional[1]));
    if (!j) return 1;
    if (a.as_json) return std::printf("%s\n", j->dump(2).c_str()), 0;
    if ((*j)["entities"].empty()) std::printf("no entity matches\n");
    for (const auto& e : (*j)["entities"]) {
      std::printf("%s:%s  %s events  id %s\n", e["type"].get<std::string>().c_str(),
                  e["value"].get<std::string>().c_str(), num(e["event_count"]).c_str(),
                  e["id"].get<std::string>().c_str());
      std::printf("  live: %s\n", e["live"].is_null() ? "not live" : e["live"].dump().c_str());
    }
    return 0;
  }
  if (what == "alerts") {
    auto j = get_json(t, "/api/alerts?limit=20");
    if (!j) return 1;
    if (a.as_json) return std::printf("%s\n", j->dump(2).c_str()), 0;
    for (const auto& al : (*j)["alerts"])
      std::printf("%-8s %-11s x%-4s %s\n", al["severity"].get<std::string>().c_str(),
                  al["kind"].get<std::string>().c_str(), num(al["count"]).c_str(),
                  al["title"].get<std::string>().c_str());
    return 0;
  }
  std::fprintf(stderr, "seerflow: console shows tree, top, entity VALUE or alerts, not '%s'\n",
               what.c_str());
  return 2;
}

}  // namespace

int run_status(const std::vector<std::string>& args) {
  client_args a;
  std::string err;
  if (!parse_client_args(args, a, err) || !a.positional.empty()) {
    std::fprintf(stderr, "seerflow status: %s\n",
                 err.empty() ? "takes no positional arguments" : err.c_str());
    return 2;
  }
  int code = 0;
  auto t = target_of(a, code);
  if (!t) return code;
  auto h = get_json(*t, "/api/health");
  if (!h) return 1;
  const bool ok = h->value("status", "") == "ok";
  if (a.as_json) {
    std::printf("%s\n", h->dump(2).c_str());
    return ok ? 0 : 1;
  }
  std::printf("node %s: %s (up %.0f s, %s actors, %s restarts)\n", h->value("node", "?").c_str(),
              h->value("status", "?").c_str(), h->value("uptime_s", 0.0),
              num((*h)["actors"]).c_str(), num((*h)["restarts"]).c_str());
  for (const auto& [k, v] : (*h)["counters"].items())
    std::printf("  %-20s %s\n", k.c_str(), v.dump().c_str());
  // A cluster node also lists the members it sees.
  if ((*h)["counters"].contains("cluster_live_members"))
    if (auto c = get_json(*t, "/api/cluster"); c && c->contains("nodes"))
      for (const auto& n : (*c)["nodes"])
        std::printf("  member %-16s %-22s %s%s\n", n.value("name", "?").c_str(),
                    n.value("address", "").c_str(), n.value("status", "?").c_str(),
                    n.value("self", false) ? " (this node)" : "");
  for (const auto& p : (*h)["problems"]) std::printf("problem: %s\n", p.get<std::string>().c_str());
  return ok ? 0 : 1;
}

int run_console(const std::vector<std::string>& args) {
  client_args a;
  std::string err;
  if (!parse_client_args(args, a, err)) {
    std::fprintf(stderr, "seerflow console: %s\n", err.c_str());
    return 2;
  }
  int code = 0;
  auto t = target_of(a, code);
  if (!t) return code;
  if (a.watch_s <= 0) return run_view(*t, a);
  // --watch: redraw until interrupted, like top(1).
  for (;;) {
    if (::isatty(STDOUT_FILENO)) std::printf("\x1b[H\x1b[2J");
    const int rc = run_view(*t, a);
    std::fflush(stdout);
    if (rc == 2) return rc;
    std::this_thread::sleep_for(std::chrono::duration<double>(a.watch_s));
  }
}

}  // namespace seerflow::app
