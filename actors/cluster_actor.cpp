#include "actors/cluster_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/openssl/unpublish.hpp>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "actors/actors.hpp"
#include "actors/exception_handler.hpp"
#include "actors/inspect_stats.hpp"
#include "messages/inspect.hpp"
#include "runtime/config/cluster_check.hpp"
#include "runtime/util/log.hpp"

namespace seerflow::actors {

namespace {

using self_ptr = caf::stateful_actor<cluster_state>*;
// Only cluster actors send and receive it (node -> node: "I am shutting down"); the directory
// never sees it, so it lives with them rather than in messages/atoms.hpp.
using leave_atom = caf::atom_constant<caf::atom("leave")>;
using cluster::member_info;
constexpr auto tick_interval = std::chrono::milliseconds(200);
constexpr auto dial_timeout = std::chrono::seconds(10);
constexpr auto join_timeout = std::chrono::seconds(10);

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool split_host_port(const std::string& hp, std::string& host, std::uint16_t& port) {
  const auto colon = hp.rfind(':');
  if (colon == std::string::npos) return false;
  host = hp.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  try {
    port = static_cast<std::uint16_t>(std::stoul(hp.substr(colon + 1)));
  } catch (...) {
    return false;
  }
  return port != 0;
}

// The live members changed (or the directory was restarted): tell the directory, which places
// ids on them and hands over what moved.
void publish_placement(self_ptr self) {
  auto& st = self->state;
  auto dir = st.ctx->registry->lookup<directory_actor>("directory");
  if (!dir) return;
  if (st.sent_version == st.placement_version &&
      caf::actor_cast<caf::actor>(dir) == st.last_directory)
    return;
  std::vector<std::string> ids = st.members->live_ids();
  std::vector<caf::actor> handles;
  for (const auto& id : ids) {
    auto it = st.peers.find(id);
    handles.push_back(it == st.peers.end() ? caf::actor{} : it->second.handle);
  }
  // The members that died since the last placement sent: the directory restores their ids.
  self->send(dir, placement_atom::value, std::move(ids), std::move(handles), st.self_id,
             std::move(st.died));
  st.died.clear();
  st.last_directory = caf::actor_cast<caf::actor>(dir);
  st.sent_version = st.placement_version;
}

void members_changed(self_ptr self) {
  auto& st = self->state;
  ++st.placement_version;
  const auto live = st.members->live_ids();
  st.live_gauge->set(static_cast<std::int64_t>(live.size()));
  std::string list;
  for (const auto& id : live) list += (list.empty() ? "" : ", ") + id;
  log::info(st.actor_name, "members: ", list);
  publish_placement(self);
  // Gossip: every peer learns of every member, so a node that joined through one seed is
  // dialled by all the others.
  auto members = st.members->live_members();
  for (auto& [id, p] : st.peers) self->send(p.handle, members_atom::value, members);
}

// `died`: lost without a word (kill -9, a crash, the network); a node that leaves says so
// and hands its ids over itself.
void drop_peer(self_ptr self, const std::string& id, const std::string& why, bool died = true) {
  auto& st = self->state;
  auto it = st.peers.find(id);
  if (it == st.peers.end()) return;
  self->demonitor(it->second.handle);
  st.by_addr.erase(it->second.handle.address());
  st.peers.erase(it);
  if (st.members->lost(id, now_ms())) {
    st.peers_lost->add();
    if (died) st.died.push_back(id);
    log::warn(st.actor_name, "lost node ", id, ": ", why, "; its ids move to the others");
    members_changed(self);
  }
}

void add_peer(self_ptr self, const std::string& id, const std::string& address, caf::actor h,
              bool dialled) {
  auto& st = self->state;
  if (id == st.self_id) return;
  auto it = st.peers.find(id);
  if (it != st.peers.end() && it->second.handle != h) {
    // The same id from a new process (a restarted node): the old handle is dead or dying.
    self->demonitor(it->second.handle);
    st.by_addr.erase(it->second.handle.address());
    st.peers.erase(it);
  }
  auto& p = st.peers[id];
  if (!p.handle) {
    p.handle = h;
    self->monitor(h);
    st.by_addr[h.address()] = id;
  }
  p.last_answer_ms = now_ms();
  const bool changed = dialled ? st.members->connected(address, id, now_ms())
                               : st.members->joined({id, address}, now_ms());
  if (changed) {
    st.joins->add();
    log::info(st.actor_name, dialled ? "joined node " : "node joined: ", id, " at ", address);
    members_changed(self);
  }
}

void learn(self_ptr self, const std::vector<member_info>& ms) {
  // New addresses are dialled on the next tick.
  self->state.members->learn(ms);
}

void dial(self_ptr self, const std::string& address) {
  auto& st = self->state;
  std::string host;
  std::uint16_t port = 0;
  if (!split_host_port(address, host, port)) {
    st.members->connect_failed(address, now_ms());
    return;
  }
  auto mm = st.ctx->sys->openssl_manager().actor_handle();
  log::debug(st.actor_name, "dialling ", address);
  auto failed = [=](const std::string& why) {
    auto& s = self->state;
    s.members->connect_failed(address, now_ms());
    s.connect_failures->add();
    // The first failure and every tenth are logged: a seed that is down is not a flood.
    std::uint64_t failures = 0;
    for (const auto& p : s.members->peers())
      if (p.address == address) failures = p.failures;
    if (failures == 1 || failures % 10 == 0)
      log::warn(s.actor_name, "cannot join ", address, " (", failures, " attempts): ", why,
                why.find("handshake") != std::string::npos
                    ? " (the TLS handshake failed: are both certificates signed by the CA of "
                      "cluster.tls.ca_file?)"
                    : "");
  };
  self->request(mm, dial_timeout, caf::connect_atom::value, host, port)
      .then(
          [=](const caf::node_id& nid, caf::strong_actor_ptr& ptr, std::set<std::string>&) {
            if (!ptr) {
              failed("no actor published there");
              return;
            }
            if (nid == self->system().node()) {
              // Our own address under another name (0.0.0.0 vs 127.0.0.1): never a peer.
              self->state.members->connect_failed(address, now_ms());
              return;
            }
            auto h = caf::actor_cast<caf::actor>(ptr);
            auto& s = self->state;
            log::debug(s.actor_name, "connected to ", address, "; joining");
            self->request(h, join_timeout, join_atom::value,
                          member_info{s.self_id, s.members->self_address()})
                .then(
                    [=](member_info& peer, std::vector<member_info>& ms) {
                      add_peer(self, peer.id, address, h, true);
                      learn(self, ms);
                    },
                    [=](caf::error& err) { failed("join refused: " + caf::to_string(err)); });
          },
          [=](caf::error& err) { failed(caf::to_string(err)); });
}

void ping_all(self_ptr self, std::int64_t now) {
  auto& st = self->state;
  const auto timeout = std::chrono::milliseconds(st.ctx->cfg->cluster.failure_timeout_ms);
  for (auto& [id, p] : st.peers) {
    if (p.ping_outstanding) continue;
    p.ping_outstanding = true;
    const std::string peer_id = id;
    const caf::actor h = p.handle;
    self->request(h, timeout, ping_atom::value, st.self_id)
        .then(
            [=](std::vector<member_info>& ms) {
              auto it = self->state.peers.find(peer_id);
              if (it != self->state.peers.end() && it->second.handle == h) {
                it->second.ping_outstanding = false;
                it->second.last_answer_ms = now_ms();
              }
              learn(self, ms);
            },
            [=](caf::error& err) {
              auto it = self->state.peers.find(peer_id);
              if (it == self->state.peers.end() || it->second.handle != h) return;
              drop_peer(self, peer_id, "no answer to a heartbeat (" + caf::to_string(err) + ")");
            });
  }
  (void)now;
}

void tick(self_ptr self) {
  auto& st = self->state;
  const auto now = now_ms();
  for (const auto& address : st.members->due(now)) dial(self, address);
  if (now >= st.next_ping_ms) {
    st.next_ping_ms = now + st.ctx->cfg->cluster.heartbeat_ms;
    ping_all(self, now);
  }
  const auto& c = st.ctx->cfg->cluster;
  st.unreachable_gauge->set(
      static_cast<std::int64_t>(st.members->unreachable_seeds(now, c.seed_unhealthy_ms).size()));
  publish_placement(self);  // a restarted directory gets the placement again
}

std::string view_json(self_ptr self) {
  auto& st = self->state;
  const auto now = now_ms();
  using json = nlohmann::ordered_json;
  json nodes = json::array();
  nodes.push_back({{"name", st.self_id},
                   {"address", st.members->self_address()},
                   {"self", true},
                   {"status", "up"}});
  for (const auto& p : st.members->peers()) {
    json n{{"name", p.id},   {"address", p.address},
           {"self", false},  {"status", p.up ? "up" : "down"},
           {"seed", p.seed}, {"since_s", static_cast<double>(now - p.since_ms) / 1000.0}};
    if (!p.up) {
      n["failed_dials"] = p.failures;
      n["next_dial_in_s"] =
          std::max<double>(0, static_cast<double>(p.next_attempt_ms - now) / 1000.0);
    }
    nodes.push_back(std::move(n));
  }
  json j{{"mode", "cluster"},
         {"self", st.self_id},
         {"listen", st.members->self_address()},
         {"port", st.port},
         {"live", st.members->live_ids()},
         {"nodes", std::move(nodes)},
         {"unreachable_seeds",
          st.members->unreachable_seeds(now, st.ctx->cfg->cluster.seed_unhealthy_ms)},
         {"seed_unhealthy_after_s",
          static_cast<double>(st.ctx->cfg->cluster.seed_unhealthy_ms) / 1000.0}};
  add_mailbox(j, self);
  return j.dump();
}

}  // namespace

caf::behavior cluster_actor_impl(self_ptr self, system::node_context* ctx, std::string name) {
  install_exception_handler(self, name);
  auto& st = self->state;
  st.ctx = ctx;
  st.actor_name = std::move(name);
  const auto& c = ctx->cfg->cluster;
  st.self_id = config::cluster_node_id(*ctx->cfg);
  if (!split_host_port(c.listen, st.host, st.port))
    throw std::runtime_error("cluster.listen: not host:port: " + c.listen);
  auto& m = *ctx->metrics;
  st.connect_failures = &m.get_counter("cluster_connect_failures");
  st.peers_lost = &m.get_counter("cluster_peers_lost");
  st.joins = &m.get_counter("cluster_joins");
  st.forwards_in = &m.get_counter("cluster_batches_received");
  st.handovers_in = &m.get_counter("cluster_handover_received");
  st.live_gauge = &m.get_gauge("cluster_live_members");
  st.unreachable_gauge = &m.get_gauge("cluster_unreachable_seeds");
  st.members = std::make_unique<cluster::membership>(
      st.self_id, c.advertise.empty() ? c.listen : c.advertise, c.seeds,
      cluster::backoff_policy{c.reconnect_min_ms, c.reconnect_max_ms});
  st.live_gauge->set(1);

  // Blocks this actor until the TLS listener is bound (the middleman actor does the work).
  auto bound =
      caf::openssl::publish(caf::actor_cast<caf::actor>(self), st.port, st.host.c_str(), true);
  if (!bound)
    throw std::runtime_error("cannot listen on " + c.listen +
                             " (cluster.listen): " + ctx->sys->render(bound.error()));
  st.port = *bound;
  ctx->registry->add_endpoint({st.actor_name, "cluster/tls", st.host, st.port});
  log::info(st.actor_name, "node ", st.self_id, " listening on ", st.host, ":", st.port, " as ",
            st.members->self_address(), " (mutual TLS); seeds: ",
            c.seeds.empty() ? std::string("none") : std::to_string(c.seeds.size()));
  self->attach_functor([sys = ctx->sys, reg = ctx->registry, n = st.actor_name,
                        me = caf::actor_cast<caf::actor_addr>(self), port = st.port] {
    reg->remove_endpoint(n);
    // The port goes with this incarnation, so a restarted one can bind it again.
    caf::anon_send(sys->openssl_manager().actor_handle(), caf::unpublish_atom::value, me, port);
  });

  self->set_down_handler([=](caf::down_msg& dm) {
    auto it = self->state.by_addr.find(dm.source);
    if (it == self->state.by_addr.end()) return;
    const auto id = it->second;
    drop_peer(self, id, "connection lost (" + caf::to_string(dm.reason) + ")");
  });

  self->send(self, tick_atom::value);

  return {
      [=](join_atom, member_info& m) -> caf::result<member_info, std::vector<member_info>> {
        auto& s = self->state;
        auto h = caf::actor_cast<caf::actor>(self->current_sender());
        if (h && m.id != s.self_id) add_peer(self, m.id, m.address, h, false);
        return {member_info{s.self_id, s.members->self_address()}, s.members->live_members()};
      },
      [=](members_atom, std::vector<member_info>& ms) { learn(self, ms); },
      [=](ping_atom, const std::string&) -> std::vector<member_info> {
        return self->state.members->live_members();
      },
      [=](forward_atom, routed_batch& b) -> caf::result<bool> {
        auto& s = self->state;
        s.forwards_in->add();
        auto dir = s.ctx->registry->lookup<directory_actor>("directory");
        if (!dir) return false;
        auto rp = self->make_response_promise<bool>();
        self->request(dir, caf::infinite, forward_atom::value, std::move(b))
            .then([rp](bool ok) mutable { rp.deliver(ok); },
                  [rp](caf::error&) mutable { rp.deliver(false); });
        return rp;
      },
      [=](handover_atom, std::vector<handover_item>& items) {
        auto& s = self->state;
        s.handovers_in->add(items.size());
        if (auto dir = s.ctx->registry->lookup<directory_actor>("directory"))
          self->send(dir, handover_atom::value, std::move(items));
        else
          log::error(s.actor_name, "no directory: ", items.size(), " handed-over ids start fresh");
      },
      [=](tick_atom) {
        tick(self);
        self->delayed_send(self, tick_interval, tick_atom::value);
      },
      [=](inspect_atom, std::string& kind, std::uint64_t key) -> caf::result<std::string> {
        // Another node's console looks at an id this node owns.
        auto dir = self->state.ctx->registry->lookup<directory_actor>("directory");
        if (!dir) return std::string{};
        auto rp = self->make_response_promise<std::string>();
        self->request(dir, std::chrono::seconds(2), inspect_atom::value, std::move(kind), key)
            .then([rp](std::string& v) mutable { rp.deliver(std::move(v)); },
                  [rp](caf::error&) mutable { rp.deliver(std::string{}); });
        return rp;
      },
      [=](leave_atom, const std::string& id) {
        // A graceful stop: the node hands its ids over next, so placement must not count it.
        drop_peer(self, id, "it is shutting down", false);
      },
      [=](shutdown_atom) {
        // We stop before the directory (ordered shutdown, newest first): the peers learn of
        // our leaving before our directory's hand-overs reach them.
        for (auto& [id, p] : self->state.peers)
          self->send(p.handle, leave_atom::value, self->state.self_id);
        self->quit();
      },
      [=](inspect_atom) -> std::string { return view_json(self); },
  };
}

}  // namespace seerflow::actors
