#pragma once
// The node's directory of named things that outlive a single actor incarnation: actors by
// registry name (re-pointed by supervisors on every restart), hand-offs by source name, a vault
// of state snapshots that survive an actor crash, and the endpoints receivers bound to.
// Actors look names up per batch (a shared lock, tens of nanoseconds), so a restarted peer is
// found without anyone holding a stale handle.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>

#include "runtime/metrics/registry.hpp"
#include "runtime/system/actor_handoff.hpp"

namespace seerflow::system {

struct actor_info {
  std::string name;
  std::string kind;
  std::string parent;  // registry name of its supervisor ("" for the root)
  std::string node;
  std::uint64_t incarnation = 0;  // 1 on first start, +1 per restart
};

struct endpoint {
  std::string receiver;  // registry name of the receiver
  std::string protocol;  // "syslog/udp", "syslog/tcp"
  std::string address;
  std::uint16_t port = 0;
};

class actor_registry {
 public:
  explicit actor_registry(metrics::registry& metrics, std::size_t default_credits = 16)
      : metrics_(metrics), default_credits_(default_credits) {}

  void put(const actor_info& info, caf::actor handle);
  // Removes `name` only if it still points at `handle` (a newer incarnation may have replaced it).
  void erase(const std::string& name, const caf::actor& handle);
  caf::actor get(const std::string& name) const;
  template <class Handle>
  Handle lookup(const std::string& name) const {
    return caf::actor_cast<Handle>(get(name));
  }
  std::vector<actor_info> list() const;

  // The hand-off of a source, created on first use with the configured credit window.
  std::shared_ptr<actor_handoff> handoff(const std::string& source);
  std::vector<std::shared_ptr<actor_handoff>> handoffs() const;
  void set_default_credits(std::size_t n) { default_credits_ = n; }

  void stash(const std::string& key, std::string bytes);
  std::optional<std::string> peek_stash(const std::string& key) const;

  void add_endpoint(endpoint e);
  void remove_endpoint(const std::string& receiver);
  std::vector<endpoint> endpoints() const;

 private:
  struct entry {
    actor_info info;
    caf::actor handle;
  };
  metrics::registry& metrics_;
  std::size_t default_credits_;
  mutable std::shared_mutex mtx_;
  std::map<std::string, entry> actors_;
  std::map<std::string, std::uint64_t> incarnations_;
  std::map<std::string, std::shared_ptr<actor_handoff>> handoffs_;
  std::map<std::string, std::string> vault_;
  std::map<std::string, endpoint> endpoints_;
};

}  // namespace seerflow::system
