#include "runtime/detect/volume_pool.hpp"

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x50;  // 'P'
constexpr std::uint8_t snapshot_version = 3;
}  // namespace

volume_model& volume_pool::touch(std::uint64_t id) {
  const auto p = slots_.use(id);
  if (p.slot == models_.size()) {
    models_.emplace_back(s_, false);
  } else if (p.fresh) {
    models_[p.slot] = volume_model(s_, false);
    ++evictions_;
  }
  return models_[p.slot];
}

void volume_pool::snapshot(util::byte_writer& w) const {
  w.u8(snapshot_tag);
  w.u8(snapshot_version);
  w.varint(evictions_);
  w.varint(slots_.size());
  // Least recent first, so that a restore using them in this order rebuilds the same recency.
  for (const auto slot : slots_.order()) {
    w.varint(slots_.id_at(slot));
    models_[slot].snapshot(w);
  }
}

bool volume_pool::restore(util::byte_reader& r) {
  if (r.u8() != snapshot_tag || r.u8() != snapshot_version) return false;
  const std::uint64_t evictions = r.varint();
  const std::uint64_t n = r.varint();
  if (!r.plausible_count(n, 8) || n > slots_.capacity()) return false;
  volume_pool fresh(s_, slots_.capacity());
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t id = r.varint();
    if (!r.ok() || fresh.slots_.find(id) >= 0) return false;
    if (!fresh.touch(id).restore(r)) return false;
  }
  fresh.evictions_ = evictions;
  *this = std::move(fresh);
  return true;
}

}  // namespace seerflow::detect
