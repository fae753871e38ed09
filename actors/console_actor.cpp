#include "actors/console_actor.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "actors/actor_ask.hpp"
#include "actors/actors.hpp"
#include "actors/exception_handler.hpp"
#include "runtime/backend/open_store.hpp"
#include "runtime/console/console_token.hpp"
#include "runtime/console/query_params.hpp"
#include "runtime/metrics/prometheus_text.hpp"
#include "runtime/net/http/http_server.hpp"
#include "runtime/query/alert_query.hpp"
#include "runtime/query/query_error.hpp"
#include "runtime/query/template_query.hpp"
#include "runtime/util/log.hpp"

extern const char* const seerflow_web_console_html;

namespace seerflow::actors {

namespace {

namespace asio = boost::asio;
namespace http = net::http;
using json = nlohmann::ordered_json;
using self_ptr = caf::stateful_actor<console_state>*;

constexpr auto ask_timeout = std::chrono::milliseconds(2000);
constexpr std::size_t max_limit = 1000;

// What the handlers share; it outlives every request (the server stops before it goes).
struct console_env {
  system::node_context* ctx = nullptr;
  std::string console_name;  // its receiver label in the metrics
  std::string token;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  asio::thread_pool store_reads{1};  // SQLite reads block: never on an I/O thread
};

http::response error_json(int status, const std::string& message) {
  return http::json_response(status, json{{"error", message}}.dump());
}

std::size_t limit_of(const console::query_params& q, std::size_t fallback) {
  auto it = q.find("limit");
  if (it == q.end()) return fallback;
  try {
    const auto n = std::stoul(it->second);
    return n == 0 ? fallback : std::min<std::size_t>(n, max_limit);
  } catch (...) {
    return fallback;
  }
}

std::string param(const console::query_params& q, const char* key) {
  auto it = q.find(key);
  return it == q.end() ? std::string{} : it->second;
}

// Runs a blocking read of the store on the store-read thread and posts the answer back to the
// calling coroutine's executor (a plain posted function, not a coroutine spawned on the pool:
// Boost 1.74's co_spawn across executors corrupts recycled frames). A store that does not exist
// yet answers as empty.
template <class F>
asio::awaitable<http::response> store_read(console_env& env, F f) {
  auto storage = env.ctx->cfg->storage;
  auto& pool = env.store_reads;
  // Named, not a temporary of the co_await expression (see actor_ask.hpp).
  auto start = [&pool, storage, f](auto handler) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    auto ex = asio::get_associated_executor(*h);
    asio::post(pool, [h, ex, storage, f] {
      http::response res;
      try {
        // SQLite or PostgreSQL (storage.backend); nullptr: no SQLite file yet.
        auto reader = backend::open_reader(storage);
        res = http::json_response(200, f(reader.get()).dump());
      } catch (const query::query_error& e) {
        res = error_json(400, e.what());
      } catch (const std::exception& e) {
        res = error_json(500, std::string("store: ") + e.what());
      }
      asio::post(ex, [h, res = std::move(res)]() mutable { (*h)(std::move(res)); });
    });
  };
  auto op = asio::async_initiate<const asio::use_awaitable_t<>&, void(http::response)>(
      std::move(start), asio::use_awaitable);
  auto res = co_await std::move(op);
  co_return res;
}

// The leaves and supervisors the configured tree says should be running.
void tree_names(const config::tree_node& n, std::vector<std::string>& out) {
  if (!n.name.empty()) out.push_back(n.name);
  for (const auto& c : n.children) tree_names(c, out);
}

json health_json(const console_env& env) {
  const auto& reg = *env.ctx->registry;
  const auto actors = reg.list();
  json problems = json::array();
  std::vector<std::string> expected;
  tree_names(env.ctx->cfg->supervision, expected);
  std::uint64_t restarts = 0;
  for (const auto& a : actors) restarts += a.incarnation > 0 ? a.incarnation - 1 : 0;
  for (const auto& name : expected) {
    const bool running =
        std::any_of(actors.begin(), actors.end(), [&](const auto& a) { return a.name == name; });
    if (!running) problems.push_back("actor '" + name + "' is not running");
  }
  const auto& m = *env.ctx->metrics;
  // The node's traffic, not the console's own requests (a browser's favicon.ico is a 404 the
  // console counts as a rejected record of its own).
  json counters;
  for (const char* c : {"source_events", "records_received", "records_rejected", "records_dropped",
                        "alerts_raised", "alerts_suppressed"})
    counters[c] = 0;
  for (const auto& smp : m.snapshot()) {
    if (!smp.is_counter || !counters.contains(smp.name)) continue;
    const bool console_own = std::any_of(smp.tags.begin(), smp.tags.end(), [&](const auto& t) {
      return t.first == "receiver" && t.second == env.console_name;
    });
    if (!console_own) counters[smp.name] = counters[smp.name].get<std::int64_t>() + smp.value;
  }
  // Node mode's health rule: a configured seed unreachable for cluster.seed_unhealthy_after
  // (the cluster actor keeps the count in a gauge).
  if (env.ctx->cfg->cluster.enabled) {
    std::int64_t unreachable = 0, live = 0;
    for (const auto& smp : m.snapshot()) {
      if (smp.name == "cluster_unreachable_seeds") unreachable = smp.value;
      if (smp.name == "cluster_live_members") live = smp.value;
    }
    if (unreachable > 0)
      problems.push_back(std::to_string(unreachable) + " configured seed node" +
                         (unreachable == 1 ? " has" : "s have") + " been unreachable for over " +
                         std::to_string(env.ctx->cfg->cluster.seed_unhealthy_ms / 1000) + " s");
    counters["cluster_live_members"] = live;
  }
  const double up =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - env.started).count();
  return json{{"status", problems.empty() ? "ok" : "degraded"},
              {"node", env.ctx->cfg->node_name},
              {"uptime_s", up},
              {"actors", actors.size()},
              {"restarts", restarts},
              {"problems", std::move(problems)},
              {"counters", std::move(counters)}};
}

asio::awaitable<http::response> actors_json(console_env& env) {
  json list = json::array();
  for (const auto& a : env.ctx->registry->list()) {
    json j{{"name", a.name},
           {"kind", a.kind},
           {"parent", a.parent},
           {"node", a.node},
           {"incarnation", a.incarnation},
           {"restarts", a.incarnation > 0 ? a.incarnation - 1 : 0}};
    // The mailbox comes from the actor itself; one that does not answer in time says so.
    auto op = ask<std::string>(*env.ctx->sys, env.ctx->registry->get(a.name), ask_timeout,
                               inspect_atom::value);
    auto view = co_await std::move(op);
    const auto parsed = view ? json::parse(*view, nullptr, false) : json();
    if (parsed.is_object() && parsed.contains("mailbox"))
      j["mailbox"] = parsed["mailbox"];
    else
      j["mailbox"] = nullptr;
    j["responding"] = view.has_value();
    list.push_back(std::move(j));
  }
  co_return http::json_response(200,
                                json{{"node", env.ctx->cfg->node_name}, {"actors", list}}.dump());
}

// Coroutines take their strings by value: a reference parameter would outlive the caller's
// temporary (the route lambdas pass query parameters they just looked up).
asio::awaitable<http::response> actor_json(console_env& env, std::string name) {
  if (name.empty()) co_return error_json(400, "name= is required");
  const auto handle = env.ctx->registry->get(name);
  if (!handle) co_return error_json(404, "no actor named '" + name + "'");
  auto op = ask<std::string>(*env.ctx->sys, handle, ask_timeout, inspect_atom::value);
  auto view = co_await std::move(op);
  if (!view) co_return error_json(504, "actor '" + name + "' did not answer in time");
  auto parsed = json::parse(*view, nullptr, false);
  if (parsed.is_discarded()) parsed = *view;
  co_return http::json_response(200, json{{"name", name}, {"state", parsed}}.dump());
}

asio::awaitable<http::response> restart_actor(console_env& env, std::string name) {
  if (name.empty()) co_return error_json(400, "name= is required");
  const auto handle = env.ctx->registry->get(name);
  if (!handle) co_return error_json(404, "no actor named '" + name + "'");
  std::uint64_t incarnation = 0;
  for (const auto& a : env.ctx->registry->list())
    if (a.name == name) incarnation = a.incarnation;
  log::warn("console", "restart of '", name, "' requested through the API");
  // A kill, not a polite stop: its supervisor sees a failure and applies its strategy.
  caf::anon_send_exit(handle, caf::exit_reason::kill);
  co_return http::json_response(202,
                                json{{"restarting", name}, {"incarnation", incarnation}}.dump());
}

asio::awaitable<http::response> entities_json(console_env& env, std::string q, std::size_t limit) {
  if (q.empty()) co_return error_json(400, "q= is required");
  auto read = store_read(env, [q, limit](query::store_reader* db) {
    json list = json::array();
    if (!db) return json{{"entities", list}};
    db->entities(q, limit, [&](const query::entity_row& e) {
      list.push_back({{"key", e.entity_key},
                      {"id", e.uuid},
                      {"type", e.type},
                      {"value", e.value},
                      {"first_seen_ns", e.first_seen_ns},
                      {"last_seen_ns", e.last_seen_ns},
                      {"event_count", e.event_count}});
      return true;
    });
    return json{{"entities", list}};
  });
  auto found = co_await std::move(read);
  auto body = json::parse(found.body, nullptr, false);
  if (found.status != 200 || !body.is_object()) co_return found;
  // Live state from each entity's actor, through the directory that knows where it is.
  const auto directory = env.ctx->registry->get("directory");
  for (auto& e : body["entities"]) {
    const auto key = e["key"].get<std::uint64_t>();
    auto op = ask<std::string>(*env.ctx->sys, directory, ask_timeout, inspect_atom::value,
                               std::string("entity"), key);
    auto view = co_await std::move(op);
    if (view && !view->empty()) {
      auto live = json::parse(*view, nullptr, false);
      e["live"] = live.is_discarded() ? json(*view) : live;
    } else {
      e["live"] = nullptr;
    }
  }
  co_return http::json_response(200, body.dump());
}

asio::awaitable<http::response> sources_json(console_env& env) {
  json list = json::array();
  for (const auto& a : env.ctx->registry->list()) {
    if (a.kind != "source") continue;
    auto op = ask<std::string>(*env.ctx->sys, env.ctx->registry->get(a.name), ask_timeout,
                               inspect_atom::value);
    auto view = co_await std::move(op);
    auto parsed = view ? json::parse(*view, nullptr, false) : json();
    list.push_back({{"name", a.name}, {"state", parsed.is_discarded() ? json() : parsed}});
  }
  co_return http::json_response(200, json{{"sources", list}}.dump());
}

http::router make_routes(std::shared_ptr<console_env> env) {
  http::router r;
  // Every API route checks the token first; the page itself carries no data.
  auto guarded = [env](auto body) {
    return [env, body](http::request& req) -> asio::awaitable<http::response> {
      if (!console::bearer_matches(req.header("authorization"), env->token)) {
        env->ctx->metrics->get_counter("console_unauthorized").add();
        auto res = error_json(401, "missing or wrong bearer token");
        res.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"seerflow\"");
        co_return res;
      }
      auto q = console::parse_query(req.query);
      if (!q) co_return error_json(400, "malformed query string");
      auto op = body(*q);
      auto res = co_await std::move(op);
      co_return res;
    };
  };
  r.add("GET", "/", [](http::request&) -> asio::awaitable<http::response> {
    http::response res;
    res.content_type = "text/html; charset=utf-8";
    res.body = seerflow_web_console_html;
    res.headers.emplace_back("Content-Security-Policy",
                             "default-src 'self'; script-src 'unsafe-inline'; style-src "
                             "'unsafe-inline'; connect-src 'self'");
    co_return res;
  });
  r.add("GET", "/api/health",
        guarded([env](const console::query_params&) -> asio::awaitable<http::response> {
          co_return http::json_response(200, health_json(*env).dump());
        }));
  r.add("GET", "/api/actors",
        guarded([env](const console::query_params&) { return actors_json(*env); }));
  r.add("GET", "/api/actor", guarded([env](const console::query_params& q) {
          return actor_json(*env, param(q, "name"));
        }));
  r.add("POST", "/api/actor/restart", guarded([env](const console::query_params& q) {
          return restart_actor(*env, param(q, "name"));
        }));
  r.add("GET", "/api/entities", guarded([env](const console::query_params& q) {
          return entities_json(*env, param(q, "q"), limit_of(q, 20));
        }));
  r.add("GET", "/api/sources",
        guarded([env](const console::query_params&) { return sources_json(*env); }));
  r.add("GET", "/api/templates", guarded([env](const console::query_params& q) {
          query::template_filter f;
          f.source = param(q, "source");
          f.limit = limit_of(q, 100);
          return store_read(*env, [f](query::store_reader* db) {
            json list = json::array();
            if (db)
              db->templates(f, [&](const query::template_row& t) {
                list.push_back({{"template_id", std::to_string(t.template_id)},
                                {"source", t.source},
                                {"template", t.text},
                                {"first_seen_ns", t.first_seen_ns},
                                {"last_seen_ns", t.last_seen_ns},
                                {"event_count", t.event_count}});
                return true;
              });
            return json{{"templates", list}};
          });
        }));
  r.add("GET", "/api/alerts", guarded([env](const console::query_params& q) {
          query::alert_filter f;
          f.kind = param(q, "kind");
          f.entity = param(q, "entity");
          f.rule = param(q, "rule");
          f.limit = limit_of(q, 100);
          return store_read(*env, [f](query::store_reader* db) {
            json list = json::array();
            if (db)
              db->alerts(f, [&](const query::alert_row& a) {
                auto ents = json::parse(a.entities_json, nullptr, false);
                list.push_back({{"id", a.id},
                                {"kind", a.kind},
                                {"severity", a.severity},
                                {"rule", a.rule},
                                {"title", a.title},
                                {"source", a.source},
                                {"time_ns", a.time_ns},
                                {"last_time_ns", a.last_time_ns},
                                {"count", a.dedup_count},
                                {"tactics", a.tactics},
                                {"techniques", a.techniques},
                                {"entities", ents.is_discarded() ? json::array() : ents},
                                {"verdict", a.verdict}});
                return true;
              });
            return json{{"alerts", list}};
          });
        }));
  r.add("GET", "/api/cluster",
        guarded([env](const console::query_params&) -> asio::awaitable<http::response> {
          // Node mode: the cluster actor's view (live members, peers being redialled, seeds).
          if (env->ctx->cfg->cluster.enabled) {
            auto op = ask<std::string>(*env->ctx->sys, env->ctx->registry->get("cluster"),
                                       ask_timeout, inspect_atom::value);
            auto view = co_await std::move(op);
            if (!view) co_return error_json(503, "the cluster actor is not running");
            co_return http::json_response(200, *view);
          }
          co_return http::json_response(
              200, json{{"mode", "standalone"},
                        {"nodes", json::array({json{{"name", env->ctx->cfg->node_name},
                                                    {"self", true},
                                                    {"status", "up"}}})}}
                       .dump());
        }));
  r.add("GET", "/metrics",
        guarded([env](const console::query_params&) -> asio::awaitable<http::response> {
          http::response res;
          res.content_type = "text/plain; version=0.0.4; charset=utf-8";
          res.body = metrics::prometheus_text(env->ctx->metrics->snapshot());
          co_return res;
        }));
  return r;
}

}  // namespace

caf::behavior console_impl(self_ptr self, system::node_context* ctx, std::string name) {
  install_exception_handler(self, name);
  auto& st = self->state;
  st.ctx = ctx;
  st.actor_name = std::move(name);
  const auto& cfg = ctx->cfg->console;
  if (cfg.enabled && ctx->mode == system::run_mode::serve) {
    auto env = std::make_shared<console_env>();
    env->ctx = ctx;
    env->console_name = st.actor_name;
    // Throws (and fails the actor, whose supervisor reports it) on an unusable token.
    env->token = console::load_or_create_token(cfg.token, ctx->cfg->data_dir);
    http::server_options o;
    o.name = st.actor_name;
    o.bind = cfg.bind;
    o.port = cfg.port;
    o.max_body = 64 * 1024;  // the API takes no bodies worth the name
    o.max_connections = 64;
    net::receiver_counters counters(*ctx->metrics, st.actor_name);
    auto server = std::make_shared<http::http_server>(*ctx->io, o, make_routes(env), counters);
    st.port = server->start();
    st.stop_server = [server](std::function<void()> done) { server->stop(std::move(done)); };
    st.keep = std::make_shared<
        std::pair<std::shared_ptr<console_env>, std::shared_ptr<http::http_server>>>(env, server);
    ctx->registry->add_endpoint({st.actor_name, "console/http", o.bind, st.port});
    log::info(st.actor_name, "console on http://", o.bind, ":", st.port, "/ (token: ",
              cfg.token.empty() ? ctx->cfg->data_dir + "/console.token" : "console.token", ")");
    self->attach_functor(
        [stop = st.stop_server, keep = st.keep, reg = ctx->registry, n = st.actor_name] {
          reg->remove_endpoint(n);
          // The server's handlers use the environment: it goes only once the server has stopped.
          stop([keep] {});
        });
    st.started = true;
  }
  return {
      [=](shutdown_atom) { self->quit(); },
      [=](inspect_atom) -> std::string {
        auto& s = self->state;
        json j{{"name", s.actor_name},
               {"enabled", s.ctx->cfg->console.enabled},
               {"serving", s.started},
               {"port", s.port},
               {"mailbox", self->mailbox().size()}};
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
