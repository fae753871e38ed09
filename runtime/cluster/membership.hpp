#pragma once
// The membership table of one node, free of CAF so its rules are unit-tested: which addresses
// to dial and when (seeds, then every member learned by gossip, each with its own exponential
// backoff), which members are up, and which seeds have been unreachable for too long (the
// health rule of `seerflow status`). The cluster actor (actors/cluster_actor.hpp) feeds it the
// outcome of connects, monitors and gossip, and acts on what it returns. Times are milliseconds
// on any monotonic clock.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seerflow::cluster {

struct member_info {
  std::string id;
  std::string address;  // host:port it listens on
};

struct backoff_policy {
  std::int64_t min_ms = 500;
  std::int64_t max_ms = 10000;
};

class membership {
 public:
  membership(std::string self_id, std::string self_address, std::vector<std::string> seeds,
             backoff_policy backoff = {});

  const std::string& self_id() const { return self_id_; }
  const std::string& self_address() const { return self_address_; }

  // Addresses to dial now: not connected, not being dialled, and past their backoff. Each one
  // returned is marked as being dialled until connected() or connect_failed() is called.
  std::vector<std::string> due(std::int64_t now);
  // A dial of `address` reached node `id`. Returns true when `id` was not up before.
  bool connected(const std::string& address, const std::string& id, std::int64_t now);
  // A dial failed; the next one waits twice as long as the last (bounded by max_ms).
  void connect_failed(const std::string& address, std::int64_t now);
  // A member announced itself (it dialled us). Returns true when it was not up before.
  bool joined(const member_info& m, std::int64_t now);
  // The member `id` is gone (its monitor fired or its heartbeat timed out); it is dialled again
  // with backoff. Returns true when it was up.
  bool lost(const std::string& id, std::int64_t now);
  // Members some peer knows; returns how many addresses were new to us (they get dialled).
  std::size_t learn(const std::vector<member_info>& members);

  // Live members, this node included, sorted by id: the input of placement.
  std::vector<std::string> live_ids() const;
  // Live members with their addresses, this node included (what we gossip).
  std::vector<member_info> live_members() const;
  bool is_up(const std::string& id) const;

  struct peer_view {
    std::string id;  // "" while never reached
    std::string address;
    bool up = false;
    bool seed = false;
    std::int64_t since_ms = 0;         // when it last changed state
    std::uint64_t failures = 0;        // failed dials since it was last reached
    std::int64_t next_attempt_ms = 0;  // when it is dialled again (when down)
  };
  std::vector<peer_view> peers() const;

  // Seeds (other than this node) that have not been reachable for `threshold_ms`: from start,
  // or since they were last up.
  std::vector<std::string> unreachable_seeds(std::int64_t now, std::int64_t threshold_ms) const;

 private:
  struct target {
    std::string id;
    bool seed = false;
    bool up = false;
    bool dialling = false;
    std::int64_t since = 0;
    std::int64_t next_attempt = 0;
    std::int64_t backoff = 0;
    std::uint64_t failures = 0;
  };
  target& target_of(const std::string& address);
  target* by_id(const std::string& id);
  const target* by_id(const std::string& id) const;

  std::string self_id_;
  std::string self_address_;
  backoff_policy backoff_;
  std::int64_t started_ = -1;              // first time we were asked anything
  std::map<std::string, target> targets_;  // by address
};

}  // namespace seerflow::cluster
