#pragma once
// Volume models for many series keyed by id (templates, entities), bounded by least-recently
// used eviction: a series not seen for a while is dropped and starts over when it returns. The
// models live in one vector; an evicted series' slot serves the newcomer.
#include <cstdint>
#include <vector>

#include "runtime/detect/lru_slots.hpp"
#include "runtime/detect/volume_model.hpp"

namespace seerflow::detect {

class volume_pool {
 public:
  volume_pool(const holt_winters_settings& s, std::size_t capacity) : s_(s), slots_(capacity) {}

  volume_score observe(std::uint64_t id, std::int64_t t) { return touch(id).observe(t); }
  std::size_t size() const { return slots_.size(); }
  std::size_t capacity() const { return slots_.capacity(); }
  std::uint64_t evictions() const { return evictions_; }
  const volume_model* find(std::uint64_t id) const {
    const auto slot = slots_.find(id);
    return slot < 0 ? nullptr : &models_[static_cast<std::size_t>(slot)];
  }

  void snapshot(util::byte_writer& w) const;
  bool restore(util::byte_reader& r);

 private:
  volume_model& touch(std::uint64_t id);

  holt_winters_settings s_;
  lru_slots slots_;
  std::vector<volume_model> models_;  // per slot
  std::uint64_t evictions_ = 0;
};

}  // namespace seerflow::detect
