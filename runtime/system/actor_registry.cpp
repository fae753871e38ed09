#include "runtime/system/actor_registry.hpp"

#include <mutex>

namespace seerflow::system {

void actor_registry::put(const actor_info& info, caf::actor handle) {
  std::unique_lock lock(mtx_);
  auto inc = ++incarnations_[info.name];
  auto copy = info;
  copy.incarnation = inc;
  actors_[info.name] = entry{std::move(copy), std::move(handle)};
}

void actor_registry::erase(const std::string& name, const caf::actor& handle) {
  std::unique_lock lock(mtx_);
  auto it = actors_.find(name);
  if (it != actors_.end() && it->second.handle == handle) actors_.erase(it);
}

caf::actor actor_registry::get(const std::string& name) const {
  std::shared_lock lock(mtx_);
  auto it = actors_.find(name);
  return it == actors_.end() ? caf::actor{} : it->second.handle;
}

std::vector<actor_info> actor_registry::list() const {
  std::shared_lock lock(mtx_);
  std::vector<actor_info> out;
  for (const auto& [name, e] : actors_) out.push_back(e.info);
  return out;
}

std::shared_ptr<actor_handoff> actor_registry::handoff(const std::string& source) {
  {
    std::shared_lock lock(mtx_);
    auto it = handoffs_.find(source);
    if (it != handoffs_.end()) return it->second;
  }
  std::unique_lock lock(mtx_);
  auto& slot = handoffs_[source];
  if (!slot) slot = std::make_shared<actor_handoff>(source, default_credits_, metrics_);
  return slot;
}

std::vector<std::shared_ptr<actor_handoff>> actor_registry::handoffs() const {
  std::shared_lock lock(mtx_);
  std::vector<std::shared_ptr<actor_handoff>> out;
  for (const auto& [name, h] : handoffs_) out.push_back(h);
  return out;
}

void actor_registry::stash(const std::string& key, std::string bytes) {
  std::unique_lock lock(mtx_);
  vault_[key] = std::move(bytes);
}

std::optional<std::string> actor_registry::peek_stash(const std::string& key) const {
  std::shared_lock lock(mtx_);
  auto it = vault_.find(key);
  if (it == vault_.end()) return std::nullopt;
  return it->second;
}

void actor_registry::add_endpoint(endpoint e) {
  std::unique_lock lock(mtx_);
  endpoints_[e.receiver] = std::move(e);
}

void actor_registry::remove_endpoint(const std::string& receiver) {
  std::unique_lock lock(mtx_);
  endpoints_.erase(receiver);
}

std::vector<endpoint> actor_registry::endpoints() const {
  std::shared_lock lock(mtx_);
  std::vector<endpoint> out;
  for (const auto& [k, e] : endpoints_) out.push_back(e);
  return out;
}

}  // namespace seerflow::system
