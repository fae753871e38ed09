#include "actors/receiver_actor.hpp"

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
#include "runtime/net/tcp_syslog_server.hpp"
#include "runtime/net/udp_syslog_server.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

using namespace seerflow::messages;

namespace {

using self_ptr = caf::stateful_actor<receiver_state>*;

// A restarted receiver may find its port still held: its predecessor's socket is closed
// asynchronously on an I/O thread. It retries for this long before failing.
constexpr auto bind_retry_window = std::chrono::seconds(5);
constexpr auto bind_retry_interval = std::chrono::milliseconds(20);

template <class Server, class Options>
void start_server(self_ptr self, Options opts, std::shared_ptr<ingest::batch_sink> sink) {
  auto& st = self->state;
  net::receiver_counters counters(*st.ctx->metrics, st.receiver_name);
  auto server = std::make_shared<Server>(*st.ctx->io, std::move(opts), std::move(sink), counters);
  st.port = server->start();  // throws with a clear message when the bind fails
  st.stop_server = [server](std::function<void()> done) { server->stop(std::move(done)); };
}

// Returns false when the port is still in use and a retry is due; throws on other failures.
bool try_start(self_ptr self) {
  auto& st = self->state;
  const auto& scfg = st.ctx->cfg->receivers.syslog;
  const auto& pipe = st.ctx->cfg->pipeline;
  auto sink = st.ctx->registry->handoff(st.source);
  std::string address;
  try {
    if (st.protocol == receiver_protocol::udp) {
      net::udp_server_options o;
      o.bind = scfg.udp.bind;
      o.port = scfg.udp.port;
      o.max_record = scfg.udp.max_record;
      o.receive_buffer = scfg.udp.receive_buffer;
      o.batch_size = pipe.batch_size;
      o.linger = std::chrono::milliseconds(pipe.batch_linger_ms);
      address = o.bind;
      start_server<net::udp_syslog_server>(self, std::move(o), sink);
    } else {
      net::tcp_server_options o;
      o.bind = scfg.tcp.bind;
      o.port = scfg.tcp.port;
      o.max_record = scfg.tcp.max_record;
      o.max_connections = scfg.tcp.max_connections;
      o.idle_timeout = std::chrono::milliseconds(scfg.tcp.idle_timeout_ms);
      o.batch_size = pipe.batch_size;
      o.linger = std::chrono::milliseconds(pipe.batch_linger_ms);
      address = o.bind;
      start_server<net::tcp_syslog_server>(self, std::move(o), sink);
    }
  } catch (const std::system_error& e) {
    if (e.code().value() == EADDRINUSE && std::chrono::steady_clock::now() < st.bind_deadline) {
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
  const std::string proto = st.protocol == receiver_protocol::udp ? "syslog/udp" : "syslog/tcp";
  log::info(st.receiver_name, "listening on ", proto, " ", address, ":", st.port, " for source '",
            st.source, "'");
  publish_server(self, proto, address);
  return true;
}

}  // namespace

caf::behavior syslog_receiver_impl(self_ptr self, system::node_context* ctx, std::string name,
                                   receiver_protocol protocol, std::string source) {
  install_exception_handler(self, name);
  auto& st = self->state;
  st.ctx = ctx;
  st.receiver_name = std::move(name);
  st.source = std::move(source);
  st.protocol = protocol;
  st.bind_deadline = std::chrono::steady_clock::now() + bind_retry_window;
  // A listener switched off in YAML stays in the tree (its place in the supervision order does
  // not move) but binds nothing.
  const auto& scfg = ctx->cfg->receivers.syslog;
  st.enabled = protocol == receiver_protocol::udp ? scfg.udp.enabled : scfg.tcp.enabled;
  if (!st.enabled)
    log::info(st.receiver_name, "disabled (receivers.syslog.",
              protocol == receiver_protocol::udp ? "udp" : "tcp", ".enabled: false)");
  else if (!try_start(self))
    self->delayed_send(self, bind_retry_interval, retry_atom::value);
  return {
      [=](retry_atom) {
        if (self->state.started || self->state.stopping) return;
        if (!try_start(self)) self->delayed_send(self, bind_retry_interval, retry_atom::value);
      },
      [=](shutdown_atom) {
        // Stop reading, hand over what was read, then quit: the source after us gets it all.
        stop_owned_server(self);
      },
      [=](stopped_atom) { self->quit(); },
      [=](inspect_atom) -> std::string {
        auto& s = self->state;
        nlohmann::ordered_json j;
        j["name"] = s.receiver_name;
        j["protocol"] = s.protocol == receiver_protocol::udp ? "syslog/udp" : "syslog/tcp";
        j["port"] = s.port;
        j["source"] = s.source;
        j["listening"] = s.started && !s.stopping;
        j["enabled"] = s.enabled;
        add_receiver_counters(j, *s.ctx->metrics, s.receiver_name);
        add_mailbox(j, self);
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
