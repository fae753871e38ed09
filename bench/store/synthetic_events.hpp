#pragma once
// Synthetic but realistic sshd and PAM events for the store benchmarks: the lines OpenSSH and
// pam_unix write, with 1-4 entities each drawn from a pool, about 50 templates.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "runtime/model/event.hpp"

namespace seerflow::bench {

struct pattern {
  const char* text;    // template, <*> where a parameter goes
  int ip, user, port;  // which parameters are present (user before ip before port)
};

// sshd and PAM lines as OpenSSH and pam_unix write them.
constexpr pattern patterns[] = {
    {"Failed password for invalid user <*> from <*> port <*> ssh2", 1, 1, 1},
    {"Failed password for <*> from <*> port <*> ssh2", 1, 1, 1},
    {"Accepted password for <*> from <*> port <*> ssh2", 1, 1, 1},
    {"Accepted publickey for <*> from <*> port <*> ssh2: ED25519 SHA256:<*>", 1, 1, 1},
    {"Invalid user <*> from <*> port <*>", 1, 1, 1},
    {"Connection closed by authenticating user <*> <*> port <*> [preauth]", 1, 1, 1},
    {"Connection closed by <*> port <*> [preauth]", 1, 0, 1},
    {"Received disconnect from <*> port <*>:11: Bye Bye [preauth]", 1, 0, 1},
    {"Disconnected from invalid user <*> <*> port <*> [preauth]", 1, 1, 1},
    {"pam_unix(sshd:session): session opened for user <*>(uid=1000) by (uid=0)", 0, 1, 0},
    {"pam_unix(sshd:session): session closed for user <*>", 0, 1, 0},
    {"pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
     "rhost=<*> user=<*>",
     1, 1, 0},
    {"error: maximum authentication attempts exceeded for <*> from <*> port <*> ssh2 [preauth]", 1,
     1, 1},
};
constexpr int n_patterns = sizeof(patterns) / sizeof(patterns[0]);
constexpr int n_templates = 50;  // each pattern appears under several sources / variants

inline model::entity_ref make_entity(std::mt19937_64& rng, int i) {
  model::entity_ref r;
  const int kind = i % 10;  // 60% addresses, 30% accounts, 10% machines
  if (kind < 6) {
    r.type = model::entity_type::ip;
    r.value = "10." + std::to_string((i >> 16) & 255) + "." + std::to_string((i >> 8) & 255) + "." +
              std::to_string(i & 255);
  } else if (kind < 9) {
    r.type = model::entity_type::user;
    r.value = "user" + std::to_string(i);
  } else {
    r.type = model::entity_type::host;
    r.value = "node-" + std::to_string(i) + ".dc1.example.net";
  }
  for (auto& b : r.id) b = static_cast<std::uint8_t>(rng());
  r.id[6] = static_cast<std::uint8_t>((r.id[6] & 0x0F) | 0x50);  // version 5
  r.id[8] = static_cast<std::uint8_t>((r.id[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return r;
}

inline std::string fill(const char* tmpl, const std::vector<std::string>& params) {
  std::string out;
  std::size_t p = 0;
  for (const char* c = tmpl; *c; ++c) {
    if (c[0] == '<' && c[1] == '*' && c[2] == '>') {
      out += p < params.size() ? params[p++] : std::string("?");
      c += 2;
    } else {
      out += *c;
    }
  }
  return out;
}

// The entities events draw from: 60% addresses, 30% accounts, 10% machines, each with a fixed
// id, so that a value always has the same key however many batches are generated.
struct entity_pool {
  std::vector<model::entity_ref> all;
  std::vector<int> ips, users, hosts;
  explicit entity_pool(int n, std::uint64_t seed = 42) {
    std::mt19937_64 rng(seed);
    for (int i = 0; i < n; ++i) all.push_back(make_entity(rng, i));
    for (int i = 0; i < n; ++i) (i % 10 < 6 ? ips : i % 10 < 9 ? users : hosts).push_back(i);
  }
};

// Fills `e` as the k-th event: a random template with random parameters from the pool.
inline void make_event(model::event& e, std::size_t k, const entity_pool& pool,
                       std::mt19937_64& rng) {
  const auto& entities = pool.all;
  e = model::event{};
  const int t = static_cast<int>(rng() % n_templates);
  const auto& pat = patterns[t % n_patterns];
  e.source = t < 25 ? "syslog-udp" : "auth-file";
  e.peer = "10.1.0." + std::to_string(t % 7 + 1) + ":514";
  e.time_from_log = true;
  e.facility = (t % 2) ? 4 : 10;
  e.severity = (t % 5 == 0) ? 4 : 6;
  const auto& host = entities[static_cast<std::size_t>(pool.hosts[rng() % pool.hosts.size()])];
  e.host = host.value;
  e.app = "sshd";
  e.procid = std::to_string(1000 + rng() % 60000);
  e.template_id = 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(t + 1);
  e.template_text = pat.text;
  if (t >= n_patterns) e.template_text += " #" + std::to_string(t / n_patterns);

  const auto& user = entities[static_cast<std::size_t>(pool.users[rng() % pool.users.size()])];
  const auto& ip = entities[static_cast<std::size_t>(pool.ips[rng() % pool.ips.size()])];
  if (pat.user) e.params.push_back(user.value);
  if (pat.ip) e.params.push_back(ip.value);
  if (pat.port) e.params.push_back(std::to_string(1024 + rng() % 64000));
  if (t % n_patterns == 3) e.params.push_back("u8Zb3P0rX1cQ7o2m9kLw4nV6yT5sA0dF3gH8jK1lZ2x");
  e.message = fill(patterns[t % n_patterns].text, e.params);
  if (t >= n_patterns) e.message += " #" + std::to_string(t / n_patterns);

  if (pat.ip) e.entities.push_back(ip);
  if (pat.user) e.entities.push_back(user);
  e.entities.push_back(host);
  // Now and then a related address or account, for up to four entities.
  if (rng() % 4 == 0) e.entities.push_back(entities[rng() % entities.size()]);
  if (k % 16 == 0) e.fields = {{"origin.ip", "10.1.0.1"}, {"meta.sequenceId", std::to_string(k)}};
}

inline std::vector<model::event> make_pool(std::size_t n, int n_entities, std::uint64_t seed) {
  const entity_pool entities(n_entities, seed);
  std::mt19937_64 rng(seed);
  std::vector<model::event> pool(n);
  for (std::size_t k = 0; k < n; ++k) make_event(pool[k], k, entities, rng);
  return pool;
}

}  // namespace seerflow::bench
