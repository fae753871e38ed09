#pragma once
// A flat hash map from a 64-bit key to an aggregate, for folding a transaction's events into
// one upsert per entity or template. clear() keeps the entries' memory (strings included), so
// steady-state commits allocate nothing.
#include <algorithm>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "runtime/util/hash.hpp"

namespace seerflow::store {

template <class T>
class key_aggregator {
 public:
  // The entry for `key` and whether this call created it. A created entry may hold values from
  // an earlier transaction: the caller overwrites every field.
  std::pair<T&, bool> find_or_add(std::uint64_t key) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = util::mix64(key) & mask;; i = (i + 1) & mask) {
      const std::uint32_t s = slots_[i];
      if (s == 0) {
        if (used_ == entries_.size()) {
          entries_.emplace_back();
          keys_.push_back(key);
        } else {
          keys_[used_] = key;
        }
        slots_[i] = static_cast<std::uint32_t>(++used_);
        return {entries_[used_ - 1], true};
      }
      if (keys_[s - 1] == key) return {entries_[s - 1], false};
    }
  }

  std::size_t size() const { return used_; }
  bool empty() const { return used_ == 0; }
  std::uint64_t key(std::size_t i) const { return keys_[i]; }
  std::span<T> entries() { return {entries_.data(), used_}; }

  // Forgets every key; memory is kept unless a burst left it far larger than needed.
  void clear() {
    if (entries_.size() > shrink_floor && entries_.size() > 4 * used_) {
      entries_ = std::vector<T>();
      keys_ = std::vector<std::uint64_t>();
      slots_ = std::vector<std::uint32_t>();
    } else {
      std::fill(slots_.begin(), slots_.end(), 0u);
    }
    used_ = 0;
  }

 private:
  static constexpr std::size_t shrink_floor = 1 << 16;

  void grow() {
    const std::size_t n = slots_.empty() ? 1024 : slots_.size() * 2;
    slots_.assign(n, 0u);
    const std::size_t mask = n - 1;
    for (std::size_t e = 0; e < used_; ++e) {
      std::size_t i = util::mix64(keys_[e]) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = static_cast<std::uint32_t>(e + 1);
    }
  }

  std::vector<T> entries_;            // [0, used_) are live
  std::vector<std::uint64_t> keys_;   // parallel to entries_
  std::vector<std::uint32_t> slots_;  // index + 1 into entries_, 0 = empty; power of two
  std::size_t used_ = 0;
};

}  // namespace seerflow::store
