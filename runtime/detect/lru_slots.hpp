#pragma once
// Ids mapped to a bounded set of slots (0 .. capacity-1) with exact least-recently-used
// eviction, for the pools of per-template and per-entity models.
//
// Without a linked list: every use stamps its slot with a clock and appends (stamp, slot) to a
// queue; the least recently used slot is the first queue item whose stamp is still its slot's
// stamp (older items are stale and skipped). A use is a lookup, a store and an append, where a
// list splice costs cache misses on the neighbouring nodes; the queue is compacted when it holds
// four times the capacity.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace seerflow::detect {

class lru_slots {
 public:
  explicit lru_slots(std::size_t capacity) : capacity_(capacity ? capacity : 1) {
    index_.reserve(std::min<std::size_t>(capacity_, 1u << 16));
  }

  struct placed {
    std::uint32_t slot = 0;
    bool fresh = false;    // the id was not present: the slot's model must start over
    bool evicted = false;  // ... and it took the slot of evicted_id
    std::uint64_t evicted_id = 0;
  };

  // The id's slot, marked most recently used; a new id takes a free slot or the least recently
  // used one.
  placed use(std::uint64_t id) {
    placed p;
    if (auto it = index_.find(id); it != index_.end()) {
      p.slot = it->second;
      if (stamps_[p.slot] != clock_) stamp(p.slot);
      return p;
    }
    p.fresh = true;
    if (ids_.size() < capacity_) {
      p.slot = static_cast<std::uint32_t>(ids_.size());
      ids_.push_back(id);
      stamps_.push_back(0);
    } else {
      while (uses_[head_].stamp != stamps_[uses_[head_].slot]) ++head_;
      p.slot = uses_[head_++].slot;
      p.evicted = true;
      p.evicted_id = ids_[p.slot];
      index_.erase(p.evicted_id);
      ids_[p.slot] = id;
    }
    index_.emplace(id, p.slot);
    stamp(p.slot);
    return p;
  }

  // The slot of id, or -1; does not count as a use.
  std::int64_t find(std::uint64_t id) const {
    auto it = index_.find(id);
    return it == index_.end() ? -1 : static_cast<std::int64_t>(it->second);
  }
  std::uint64_t id_at(std::uint32_t slot) const { return ids_[slot]; }
  std::size_t size() const { return ids_.size(); }
  std::size_t capacity() const { return capacity_; }

  // Occupied slots from least to most recently used: all the recency a snapshot needs (using
  // ids in this order rebuilds the same state).
  std::vector<std::uint32_t> order() const {
    std::vector<std::uint32_t> o(ids_.size());
    for (std::uint32_t i = 0; i < o.size(); ++i) o[i] = i;
    std::sort(o.begin(), o.end(),
              [&](std::uint32_t a, std::uint32_t b) { return stamps_[a] < stamps_[b]; });
    return o;
  }

 private:
  struct item {
    std::uint64_t stamp;
    std::uint32_t slot;
  };
  void stamp(std::uint32_t slot) {
    stamps_[slot] = ++clock_;
    uses_.push_back(item{clock_, slot});
    if (uses_.size() - head_ > 4 * capacity_ + 16) {
      // Only the current item of every slot stays, oldest first.
      std::vector<item> live;
      live.reserve(4 * capacity_ + 17);
      for (const auto s : order()) live.push_back(item{stamps_[s], s});
      uses_ = std::move(live);
      head_ = 0;
    } else if (head_ > 4 * capacity_ + 16) {
      // The items already taken off the front go once they outnumber the bound on the rest.
      uses_.erase(uses_.begin(), uses_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

  std::size_t capacity_;
  std::vector<std::uint64_t> ids_;     // per slot
  std::vector<std::uint64_t> stamps_;  // per slot: clock of its last use
  std::unordered_map<std::uint64_t, std::uint32_t> index_;
  // A queue: items before head_ are taken (a vector with a moving front, not a deque, which
  // allocated and freed a chunk every 32 uses).
  std::vector<item> uses_;
  std::size_t head_ = 0;
  std::uint64_t clock_ = 0;
};

}  // namespace seerflow::detect
