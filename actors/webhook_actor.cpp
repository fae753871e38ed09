#include "actors/webhook_actor.hpp"

#include "actors/receiver_counters.hpp"

#include <cerrno>
#include <system_error>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include "actors/exception_handler.hpp"
#include "actors/inspect_stats.hpp"
#include "actors/server_owner.hpp"
#include "messages/atoms.hpp"
#include "runtime/net/receiver_counters.hpp"
#include "runtime/util/log.hpp"
#include "runtime/webhook/webhook_server.hpp"

namespace seerflow::actors {

using namespace seerflow::messages;

namespace {

using self_ptr = caf::stateful_actor<webhook_state>*;

// As for the syslog receivers: a restarted receiver's predecessor may still hold the port.
constexpr auto bind_retry_window = std::chrono::seconds(5);
constexpr auto bind_retry_interval = std::chrono::milliseconds(20);

bool has_source(const config::tree_node& n, const std::string& name) {
  if (n.kind == "source" && n.name == name) return true;
  for (const auto& c : n.children)
    if (has_source(c, name)) return true;
  return false;
}

std::string where(const config::location& l, std::size_t i) {
  return (l.file.empty() ? std::string("<config>") : l.file) + ":" + std::to_string(l.line) + ":" +
         std::to_string(l.column) + ": receivers.webhooks.endpoints[" + std::to_string(i) + "]";
}

// The last path segment ("/hooks/github" -> "github"): the app of events whose mapping names
// none, so each endpoint's events are told apart without configuration.
std::string default_app(const std::string& path) {
  auto seg = path.substr(path.find_last_of('/') + 1);
  return seg.empty() ? "webhook" : seg;
}

webhook::auth_spec auth_of(const config::webhook_endpoint_settings& e) {
  webhook::auth_spec a;
  a.kind = e.auth == "bearer" ? webhook::auth_kind::bearer
           : e.auth == "hmac" ? webhook::auth_kind::hmac
                              : webhook::auth_kind::none;
  a.token = e.token;
  a.secret = e.secret;
  a.signature_header = e.signature_header;
  return a;
}

// Builds every endpoint; throws std::invalid_argument naming the first bad one.
std::vector<std::shared_ptr<webhook::webhook_endpoint>> build_endpoints(
    self_ptr self, net::receiver_counters& counters) {
  auto& st = self->state;
  const auto& cfg = *st.ctx->cfg;
  std::vector<std::shared_ptr<webhook::webhook_endpoint>> out;
  webhook::mapper_limits lim;
  lim.max_message = cfg.parse.max_message;
  const auto& eps = cfg.receivers.webhooks.endpoints;
  for (std::size_t i = 0; i < eps.size(); ++i) {
    const auto& e = eps[i];
    const auto source = e.source.empty() ? st.source : e.source;
    if (!has_source(cfg.supervision, source))
      throw std::invalid_argument(where(e.where, i) +
                                  ": the supervision tree has no source actor '" + source +
                                  "' (batches for it would wait forever)");
    webhook::mapping_spec m;
    m.records = e.records;
    m.message = e.message;
    m.host = e.host;
    m.app = e.app;
    m.user = e.user;
    m.severity = e.severity;
    m.timestamp = e.timestamp;
    m.fields = e.fields;
    m.flatten = e.flatten;
    std::string err;
    auto mapper = webhook::webhook_mapper::compile(m, default_app(e.path), lim, err);
    if (!mapper) throw std::invalid_argument(where(e.where, i) + "." + err);
    out.push_back(std::make_shared<webhook::webhook_endpoint>(
        e.path, auth_of(e), std::move(*mapper), st.ctx->registry->handoff(source), counters));
  }
  return out;
}

// Returns false when the port is still in use and a retry is due; throws on other failures.
bool try_start(self_ptr self) {
  auto& st = self->state;
  const auto& w = st.ctx->cfg->receivers.webhooks;
  net::receiver_counters counters(*st.ctx->metrics, st.receiver_name);
  net::http::server_options o;
  o.name = st.receiver_name;
  o.bind = w.bind;
  o.port = w.port;
  o.max_body = w.max_body;
  o.max_connections = w.max_connections;
  o.header_timeout = std::chrono::milliseconds(w.header_timeout_ms);
  o.body_timeout = std::chrono::milliseconds(w.body_timeout_ms);
  o.tls_cert_file = w.tls_cert;
  o.tls_key_file = w.tls_key;
  std::shared_ptr<webhook::webhook_server> server;
  try {
    server = std::make_shared<webhook::webhook_server>(*st.ctx->io, o,
                                                       build_endpoints(self, counters), counters);
    st.port = server->start();
  } catch (const std::system_error& e) {
    if (e.code().value() == EADDRINUSE && std::chrono::steady_clock::now() < st.bind_deadline) {
      if (!st.bind_retry_logged) {
        st.bind_retry_logged = true;
        log::warn(st.receiver_name, e.what(), "; retrying for up to 5 s");
      }
      return false;
    }
    throw;
  }
  st.tls = server->tls();
  st.stop_server = [server](std::function<void()> done) { server->stop(std::move(done)); };
  const std::string proto = st.tls ? "webhook/https" : "webhook/http";
  std::string paths;
  for (const auto& e : w.endpoints) paths += (paths.empty() ? "" : ", ") + e.path;
  log::info(st.receiver_name, "listening on ", proto, " ", w.bind, ":", st.port, " for ", paths);
  publish_server(self, proto, w.bind);
  return true;
}

}  // namespace

caf::behavior webhook_impl(self_ptr self, system::node_context* ctx, std::string name,
                           std::string source) {
  install_exception_handler(self, name);
  auto& st = self->state;
  st.ctx = ctx;
  st.receiver_name = std::move(name);
  st.source = std::move(source);
  st.bind_deadline = std::chrono::steady_clock::now() + bind_retry_window;
  const auto& w = ctx->cfg->receivers.webhooks;
  if (!w.enabled) {
    log::debug(st.receiver_name, "receivers.webhooks.enabled is false; not listening");
  } else if (w.endpoints.empty()) {
    log::warn(st.receiver_name,
              "receivers.webhooks.enabled is true but receivers.webhooks.endpoints is empty; not "
              "listening");
  } else if (!try_start(self)) {
    self->delayed_send(self, bind_retry_interval, retry_atom::value);
  }
  return {
      [=](retry_atom) {
        if (self->state.started || self->state.stopping) return;
        if (!try_start(self)) self->delayed_send(self, bind_retry_interval, retry_atom::value);
      },
      [=](shutdown_atom) {
        // Requests in flight finish (their batches are handed over), then quit.
        stop_owned_server(self);
      },
      [=](stopped_atom) { self->quit(); },
      [=](inspect_atom) -> std::string {
        auto& s = self->state;
        const auto& wc = s.ctx->cfg->receivers.webhooks;
        nlohmann::ordered_json j;
        j["name"] = s.receiver_name;
        j["protocol"] = s.tls ? "webhook/https" : "webhook/http";
        j["port"] = s.port;
        j["source"] = s.source;
        j["enabled"] = wc.enabled;
        j["listening"] = s.started && !s.stopping;
        auto paths = nlohmann::json::array();
        for (const auto& e : wc.endpoints) paths.push_back(e.path);
        j["endpoints"] = std::move(paths);
        add_receiver_counters(j, *s.ctx->metrics, s.receiver_name);
        add_mailbox(j, self);
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
