#include "actors/otlp_receiver_actor.hpp"

#include <cerrno>
#include <system_error>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include "actors/exception_handler.hpp"
#include "actors/inspect_stats.hpp"
#include "actors/receiver_counters.hpp"
#include "actors/server_owner.hpp"
#include "messages/atoms.hpp"
#include "runtime/net/http/http_server.hpp"
#include "runtime/otlp/grpc_server.hpp"
#include "runtime/otlp/http_route.hpp"
#include "runtime/otlp/otlp_counters.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

using namespace seerflow::messages;

namespace {

using self_ptr = caf::stateful_actor<otlp_receiver_state>*;

constexpr auto bind_retry_window = std::chrono::seconds(5);
constexpr auto bind_retry_interval = std::chrono::milliseconds(20);

const char* protocol_name(otlp_transport t) {
  return t == otlp_transport::grpc ? "otlp/grpc" : "otlp/http";
}

const config::otlp_endpoint_settings& endpoint_of(const config::settings& cfg, otlp_transport t) {
  return t == otlp_transport::grpc ? cfg.receivers.otlp.grpc : cfg.receivers.otlp.http;
}

bool has_source(const config::tree_node& n, const std::string& name) {
  if (n.kind == "source" && n.name == name) return true;
  for (const auto& c : n.children)
    if (has_source(c, name)) return true;
  return false;
}

otlp::decode_limits limits_from(const config::otlp_settings& o) {
  otlp::decode_limits l;
  l.max_record = o.max_record;
  return l;
}

void start_grpc(self_ptr self) {
  auto& st = self->state;
  const auto& o = st.ctx->cfg->receivers.otlp;
  otlp::grpc_server_options opts;
  opts.bind = o.grpc.bind;
  opts.port = o.grpc.port;
  opts.max_request_bytes = o.max_request_bytes;
  opts.limits = limits_from(o);
  opts.patience = std::chrono::milliseconds(o.backpressure_wait_ms);
  opts.tls_cert_file = o.tls_cert_file;
  opts.tls_key_file = o.tls_key_file;
  auto server = std::make_shared<otlp::grpc_server>(
      *st.ctx->io, std::move(opts), st.ctx->registry->handoff(st.source),
      otlp::otlp_counters(*st.ctx->metrics, st.receiver_name));
  st.port = server->start();
  st.stop_server = [server](std::function<void()> done) { server->stop(std::move(done)); };
}

void start_http(self_ptr self) {
  auto& st = self->state;
  const auto& o = st.ctx->cfg->receivers.otlp;
  otlp::http_export_options eopts;
  eopts.limits = limits_from(o);
  eopts.max_request_bytes = o.max_request_bytes;
  eopts.patience = std::chrono::milliseconds(o.backpressure_wait_ms);
  auto counters = std::make_shared<otlp::otlp_counters>(*st.ctx->metrics, st.receiver_name);
  net::http::router routes;
  otlp::add_logs_route(routes, std::move(eopts), st.ctx->registry->handoff(st.source), counters);
  net::http::server_options sopts;
  sopts.name = st.receiver_name;
  sopts.bind = o.http.bind;
  sopts.port = o.http.port;
  // A gzip body is bounded again after inflating (413 either way).
  sopts.max_body = o.max_request_bytes;
  sopts.tls_cert_file = o.tls_cert_file;
  sopts.tls_key_file = o.tls_key_file;
  auto server = std::make_shared<net::http::http_server>(*st.ctx->io, std::move(sopts),
                                                         std::move(routes), counters->common);
  st.port = server->start();
  st.stop_server = [server, counters](std::function<void()> done) {
    server->stop(std::move(done));
  };
}

// Returns false when the port is still in use and a retry is due; throws on other failures.
bool try_start(self_ptr self) {
  auto& st = self->state;
  const auto& ep = endpoint_of(*st.ctx->cfg, st.transport);
  try {
    if (st.transport == otlp_transport::grpc)
      start_grpc(self);
    else
      start_http(self);
  } catch (const std::system_error& e) {
    if (e.code() == std::errc::address_in_use &&
        std::chrono::steady_clock::now() < st.bind_deadline) {
      if (!st.bind_retry_logged) {
        st.bind_retry_logged = true;
        log::warn(st.receiver_name, e.what(), "; retrying for up to ",
                  std::chrono::duration_cast<std::chrono::seconds>(bind_retry_window).count(),
                  " s (a restarted receiver's predecessor may still hold it)");
      }
      return false;
    }
    throw;
  }
  const auto proto = protocol_name(st.transport);
  const bool tls = !st.ctx->cfg->receivers.otlp.tls_cert_file.empty();
  log::info(st.receiver_name, "listening on ", proto, tls ? " (TLS) " : " ", ep.bind, ":", st.port,
            " for source '", st.source, "'");
  publish_server(self, proto, ep.bind);
  return true;
}

// False when this receiver stays idle (its transport is disabled, or nobody would take its data).
bool wanted(self_ptr self) {
  auto& st = self->state;
  const auto& cfg = *st.ctx->cfg;
  const auto proto = protocol_name(st.transport);
  if (!endpoint_of(cfg, st.transport).enabled) {
    log::debug(st.receiver_name, proto, " is disabled (receivers.otlp.",
               st.transport == otlp_transport::grpc ? "grpc" : "http", ".enabled)");
    return false;
  }
  if (!has_source(cfg.supervision, st.source)) {
    // Batches for a source nobody runs would wait in its hand-over forever.
    log::error(st.receiver_name, "the supervision tree has no source actor named '", st.source,
               "' (receivers.otlp.source or the leaf's args.source); not receiving");
    return false;
  }
  return true;
}

}  // namespace

caf::behavior otlp_receiver_impl(self_ptr self, system::node_context* ctx, std::string name,
                                 otlp_transport transport, std::string source) {
  install_exception_handler(self, name);
  auto& st = self->state;
  st.ctx = ctx;
  st.receiver_name = std::move(name);
  st.source = std::move(source);
  st.transport = transport;
  st.bind_deadline = std::chrono::steady_clock::now() + bind_retry_window;
  if (wanted(self) && !try_start(self))
    self->delayed_send(self, bind_retry_interval, retry_atom::value);
  return {
      [=](retry_atom) {
        if (self->state.started || self->state.stopping) return;
        if (!try_start(self)) self->delayed_send(self, bind_retry_interval, retry_atom::value);
      },
      [=](shutdown_atom) {
        // Refuse new requests, finish those in flight (their batches reach the source), quit.
        stop_owned_server(self);
      },
      [=](stopped_atom) { self->quit(); },
      [=](inspect_atom) -> std::string {
        auto& s = self->state;
        nlohmann::ordered_json j;
        j["name"] = s.receiver_name;
        j["protocol"] = protocol_name(s.transport);
        j["port"] = s.port;
        j["source"] = s.source;
        j["enabled"] = endpoint_of(*s.ctx->cfg, s.transport).enabled;
        j["listening"] = s.started && !s.stopping;
        add_receiver_counters(j, *s.ctx->metrics, s.receiver_name);
        add_mailbox(j, self);
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
