#pragma once
// A flat set of 64-bit keys (open addressing, linear probing) for "have we already written
// this entity?" on the per-event path, where a SQLite lookup would cost a B-tree seek.
// Key 0 is held by a flag, since 0 marks an empty slot.
#include <cstdint>
#include <utility>
#include <vector>

#include "runtime/util/hash.hpp"

namespace seerflow::store {

class key_set {
 public:
  bool contains(std::uint64_t key) const {
    if (key == 0) return has_zero_;
    if (slots_.empty()) return false;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = util::mix64(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == key) return true;
      if (slots_[i] == 0) return false;
    }
  }

  // True when the key was not there before.
  bool insert(std::uint64_t key) {
    if (key == 0) {
      const bool fresh = !has_zero_;
      has_zero_ = true;
      size_ += fresh;
      return fresh;
    }
    if ((size_ + 1) * 2 > slots_.size()) grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = util::mix64(key) & mask;; i = (i + 1) & mask) {
      if (slots_[i] == key) return false;
      if (slots_[i] == 0) {
        slots_[i] = key;
        ++size_;
        return true;
      }
    }
  }

  // True when the key was there. Backward-shift deletion: the keys after it in its probe run
  // move up, so lookups stay correct without tombstones.
  bool erase(std::uint64_t key) {
    if (key == 0) {
      const bool had = has_zero_;
      has_zero_ = false;
      size_ -= had;
      return had;
    }
    if (slots_.empty()) return false;
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = util::mix64(key) & mask;
    while (slots_[i] != key) {
      if (slots_[i] == 0) return false;
      i = (i + 1) & mask;
    }
    for (std::size_t j = (i + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
      const std::size_t home = util::mix64(slots_[j]) & mask;
      // slots_[j] may fill the hole at i unless its home lies cyclically in (i, j].
      const bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!stays) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = 0;
    --size_;
    return true;
  }

  std::size_t size() const { return size_; }

  // Forgets every key and releases the memory.
  void clear() {
    slots_ = std::vector<std::uint64_t>();
    size_ = 0;
    has_zero_ = false;
  }

 private:
  void grow() {
    std::vector<std::uint64_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 4096 : old.size() * 2, 0);
    const std::size_t mask = slots_.size() - 1;
    for (std::uint64_t k : old) {
      if (k == 0) continue;
      std::size_t i = util::mix64(k) & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = k;
    }
  }

  std::vector<std::uint64_t> slots_;  // 0 = empty; size is a power of two
  std::size_t size_ = 0;
  bool has_zero_ = false;
};

}  // namespace seerflow::store
