#pragma once
// Volume models for many series keyed by id (templates, entities), bounded by least-recently
// used eviction: a series not seen for a while is dropped and starts over when it returns.
#include <cstdint>
#include <list>
#include <unordered_map>

#include "runtime/detect/volume_model.hpp"

namespace seerflow::detect {

class volume_pool {
 public:
  volume_pool(const holt_winters_settings& s, std::size_t capacity)
      : s_(s), capacity_(capacity ? capacity : 1) {}

  volume_score observe(std::uint64_t id, std::int64_t t) { return touch(id).observe(t); }
  std::size_t size() const { return map_.size(); }
  std::size_t capacity() const { return capacity_; }
  std::uint64_t evictions() const { return evictions_; }
  const volume_model* find(std::uint64_t id) const {
    auto it = map_.find(id);
    return it == map_.end() ? nullptr : &it->second->model;
  }

  void snapshot(util::byte_writer& w) const;
  bool restore(util::byte_reader& r);

 private:
  struct entry {
    std::uint64_t id;
    volume_model model;
  };
  volume_model& touch(std::uint64_t id);

  holt_winters_settings s_;
  std::size_t capacity_;
  std::list<entry> lru_;  // most recent first
  std::unordered_map<std::uint64_t, std::list<entry>::iterator> map_;
  std::uint64_t evictions_ = 0;
};

}  // namespace seerflow::detect
