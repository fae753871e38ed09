#include "runtime/detect/volume_pool.hpp"

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x50;  // 'P'
constexpr std::uint8_t snapshot_version = 2;
}  // namespace

volume_model& volume_pool::touch(std::uint64_t id) {
  auto it = map_.find(id);
  if (it != map_.end()) {
    if (it->second != lru_.begin()) lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->model;
  }
  if (map_.size() >= capacity_) {
    map_.erase(lru_.back().id);
    lru_.pop_back();
    ++evictions_;
  }
  lru_.push_front(entry{id, volume_model(s_)});
  map_.emplace(id, lru_.begin());
  return lru_.front().model;
}

void volume_pool::snapshot(util::byte_writer& w) const {
  w.u8(snapshot_tag);
  w.u8(snapshot_version);
  w.varint(evictions_);
  w.varint(lru_.size());
  // Least recent first, so that restoring by push_front rebuilds the same order.
  for (auto it = lru_.rbegin(); it != lru_.rend(); ++it) {
    w.varint(it->id);
    it->model.snapshot(w);
  }
}

bool volume_pool::restore(util::byte_reader& r) {
  if (r.u8() != snapshot_tag || r.u8() != snapshot_version) return false;
  const std::uint64_t evictions = r.varint();
  const std::uint64_t n = r.varint();
  if (!r.plausible_count(n, 8) || n > capacity_) return false;
  std::list<entry> lru;
  std::unordered_map<std::uint64_t, std::list<entry>::iterator> map;
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t id = r.varint();
    volume_model m(s_);
    if (!r.ok() || !m.restore(r) || map.count(id)) return false;
    lru.push_front(entry{id, std::move(m)});
    map.emplace(id, lru.begin());
  }
  lru_ = std::move(lru);
  map_ = std::move(map);
  evictions_ = evictions;
  return true;
}

}  // namespace seerflow::detect
