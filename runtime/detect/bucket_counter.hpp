#pragma once
// Counts events into fixed event-time buckets. Moving to a later bucket closes the current one
// and every empty bucket in between: a silence yields zeros, never a gap.
#include <cstdint>

#include "runtime/util/byte_codec.hpp"

namespace seerflow::detect {

class bucket_counter {
 public:
  explicit bucket_counter(std::int64_t bucket_ns) : width_(bucket_ns > 0 ? bucket_ns : 1) {}

  // What moving to time t closed: `closed` buckets, the first holding `first_count` events and
  // the rest none. closed == 0 when t is still in the current bucket.
  struct closing {
    std::uint64_t closed = 0;
    std::uint64_t first_count = 0;
  };

  // Moves to t (without counting). Late events (t before the current bucket) stay in the current
  // bucket: a closed bucket is never revised.
  closing advance(std::int64_t t) {
    const std::int64_t b = bucket_of(t);
    if (!started_) {
      started_ = true;
      current_ = b;
      return {};
    }
    if (b <= current_) return {};
    closing c{static_cast<std::uint64_t>(b - current_), count_};
    current_ = b;
    count_ = 0;
    return c;
  }
  closing add(std::int64_t t) {
    const closing c = advance(t);
    ++count_;
    return c;
  }
  std::uint64_t current_count() const { return count_; }
  std::int64_t current_bucket() const { return current_; }
  bool started() const { return started_; }

  void snapshot(util::byte_writer& w) const {
    w.u8(started_);
    w.svarint(current_);
    w.varint(count_);
  }
  bool restore(util::byte_reader& r) {
    const auto started = r.u8();
    const auto current = r.svarint();
    const auto count = r.varint();
    if (!r.ok() || started > 1) return false;
    started_ = started, current_ = current, count_ = count;
    return true;
  }

 private:
  // Floor division, so that times before 1970 still land in the right bucket.
  std::int64_t bucket_of(std::int64_t t) const {
    return t >= 0 ? t / width_ : -((-(t + 1)) / width_) - 1;
  }
  std::int64_t width_;
  bool started_ = false;
  std::int64_t current_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace seerflow::detect
