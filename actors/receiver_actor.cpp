#include "actors/receiver_actor.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include "actors/exception_handler.hpp"
#include "messages/atoms.hpp"
#include "runtime/net/receiver_counters.hpp"
#include "runtime/net/tcp_syslog_server.hpp"
#include "runtime/net/udp_syslog_server.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

using namespace seerflow::messages;

namespace {

template <class Server, class Options>
std::uint16_t start_server(caf::stateful_actor<receiver_state>* self, Options opts,
                           std::shared_ptr<ingest::batch_sink> sink) {
  auto& st = self->state;
  net::receiver_counters counters(*st.ctx->metrics, st.name);
  auto server = std::make_shared<Server>(*st.ctx->io, std::move(opts), std::move(sink), counters);
  const auto port = server->start();  // throws with a clear message when the bind fails
  st.stop_server = [server](std::function<void()> done) { server->stop(std::move(done)); };
  return port;
}

}  // namespace

caf::behavior syslog_receiver_impl(caf::stateful_actor<receiver_state>* self,
                                   system::node_context* ctx, std::string name,
                                   receiver_protocol protocol, std::string source) {
  install_exception_handler(self, name);
  auto& st = self->state;
  st.ctx = ctx;
  st.name = name;
  st.source = source;
  st.protocol = protocol;
  const auto& scfg = ctx->cfg->receivers.syslog;
  const auto& pipe = ctx->cfg->pipeline;
  auto sink = ctx->registry->handoff(source);
  std::string address;
  if (protocol == receiver_protocol::udp) {
    net::udp_server_options o;
    o.bind = scfg.udp.bind;
    o.port = scfg.udp.port;
    o.max_record = scfg.udp.max_record;
    o.receive_buffer = scfg.udp.receive_buffer;
    o.batch_size = pipe.batch_size;
    o.linger = std::chrono::milliseconds(pipe.batch_linger_ms);
    address = o.bind;
    st.port = start_server<net::udp_syslog_server>(self, std::move(o), sink);
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
    st.port = start_server<net::tcp_syslog_server>(self, std::move(o), sink);
  }
  const std::string proto = protocol == receiver_protocol::udp ? "syslog/udp" : "syslog/tcp";
  ctx->registry->add_endpoint({name, proto, address, st.port});
  log::info(name, "listening on ", proto, " ", address, ":", st.port, " for source '", source, "'");
  // However the actor ends (ordered stop, kill, crash), the server stops with it; the
  // registry entry goes so nobody is told about a port that is no longer served.
  self->attach_functor([stop = st.stop_server, reg = ctx->registry, name] {
    reg->remove_endpoint(name);
    stop([] {});
  });
  return {
      [=](shutdown_atom) {
        auto& s = self->state;
        if (s.stopping) return;
        s.stopping = true;
        // Stop reading, hand over what was read, then quit: the source after us gets it all.
        auto me = caf::actor_cast<caf::actor>(self);
        s.stop_server([me] { caf::anon_send(me, stopped_atom::value); });
      },
      [=](stopped_atom) { self->quit(); },
      [=](inspect_atom) -> std::string {
        auto& s = self->state;
        nlohmann::ordered_json j;
        j["name"] = s.name;
        j["protocol"] = s.protocol == receiver_protocol::udp ? "syslog/udp" : "syslog/tcp";
        j["port"] = s.port;
        j["source"] = s.source;
        for (const auto& smp : s.ctx->metrics->snapshot()) {
          bool mine = false;
          std::string reason;
          for (const auto& [k, v] : smp.tags) {
            mine |= k == "receiver" && v == s.name;
            if (k == "reason") reason = v;
          }
          if (!mine) continue;
          if (reason.empty())
            j[smp.name] = smp.value;
          else
            j[smp.name][reason] = smp.value;
        }
        return j.dump();
      },
  };
}

}  // namespace seerflow::actors
