#include "runtime/cluster/membership.hpp"

#include <algorithm>

namespace seerflow::cluster {

membership::membership(std::string self_id, std::string self_address,
                       std::vector<std::string> seeds, backoff_policy backoff)
    : self_id_(std::move(self_id)), self_address_(std::move(self_address)), backoff_(backoff) {
  for (auto& s : seeds) {
    if (s == self_address_) continue;  // the same config file is often given to every node
    target_of(s).seed = true;
  }
}

membership::target& membership::target_of(const std::string& address) {
  return targets_[address];
}

membership::target* membership::by_id(const std::string& id) {
  for (auto& [a, t] : targets_)
    if (t.id == id) return &t;
  return nullptr;
}

const membership::target* membership::by_id(const std::string& id) const {
  for (const auto& [a, t] : targets_)
    if (t.id == id) return &t;
  return nullptr;
}

std::vector<std::string> membership::due(std::int64_t now) {
  if (started_ < 0) started_ = now;
  std::vector<std::string> out;
  for (auto& [address, t] : targets_) {
    if (t.up || t.dialling || t.next_attempt > now) continue;
    t.dialling = true;
    out.push_back(address);
  }
  return out;
}

bool membership::connected(const std::string& address, const std::string& id, std::int64_t now) {
  // A node restarted under another address, or an id first seen as a plain seed address:
  // the id lives at one address only.
  for (auto it = targets_.begin(); it != targets_.end();) {
    if (it->first != address && it->second.id == id && !it->second.seed)
      it = targets_.erase(it);
    else
      ++it;
  }
  auto& t = target_of(address);
  const bool was_up = t.up;
  t.id = id;
  t.up = true;
  t.dialling = false;
  t.failures = 0;
  t.backoff = 0;
  if (!was_up) t.since = now;
  return !was_up;
}

void membership::connect_failed(const std::string& address, std::int64_t now) {
  auto& t = target_of(address);
  t.dialling = false;
  ++t.failures;
  t.backoff = t.backoff == 0 ? backoff_.min_ms : std::min(backoff_.max_ms, t.backoff * 2);
  t.next_attempt = now + t.backoff;
  if (t.since == 0) t.since = started_ >= 0 ? started_ : now;
}

bool membership::joined(const member_info& m, std::int64_t now) {
  if (m.id == self_id_) return false;
  return connected(m.address, m.id, now);
}

bool membership::lost(const std::string& id, std::int64_t now) {
  auto* t = by_id(id);
  if (!t || !t->up) return false;
  t->up = false;
  t->dialling = false;
  t->since = now;
  t->backoff = backoff_.min_ms;
  t->next_attempt = now + t->backoff;
  return true;
}

std::size_t membership::learn(const std::vector<member_info>& members) {
  std::size_t added = 0;
  for (const auto& m : members) {
    if (m.id == self_id_ || m.address == self_address_ || m.address.empty()) continue;
    if (by_id(m.id)) continue;
    auto [it, inserted] = targets_.try_emplace(m.address);
    if (inserted) {
      it->second.id = m.id;
      ++added;
    }
  }
  return added;
}

std::vector<std::string> membership::live_ids() const {
  std::vector<std::string> out{self_id_};
  for (const auto& [a, t] : targets_)
    if (t.up) out.push_back(t.id);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<member_info> membership::live_members() const {
  std::vector<member_info> out{{self_id_, self_address_}};
  for (const auto& [a, t] : targets_)
    if (t.up) out.push_back({t.id, a});
  std::sort(out.begin(), out.end(),
            [](const member_info& x, const member_info& y) { return x.id < y.id; });
  return out;
}

bool membership::is_up(const std::string& id) const {
  if (id == self_id_) return true;
  const auto* t = by_id(id);
  return t && t->up;
}

std::vector<membership::peer_view> membership::peers() const {
  std::vector<peer_view> out;
  for (const auto& [a, t] : targets_)
    out.push_back({t.id, a, t.up, t.seed, t.since, t.failures, t.up ? 0 : t.next_attempt});
  return out;
}

std::vector<std::string> membership::unreachable_seeds(std::int64_t now,
                                                       std::int64_t threshold_ms) const {
  std::vector<std::string> out;
  const auto start = started_ >= 0 ? started_ : now;
  for (const auto& [a, t] : targets_) {
    if (!t.seed || t.up) continue;
    const auto down_since = t.since == 0 ? start : t.since;
    if (now - down_since >= threshold_ms) out.push_back(a);
  }
  return out;
}

}  // namespace seerflow::cluster
