#pragma once
// The state a template actor owns: the template's text and history, counts, an event-time rate
// over the last hour in one-minute buckets, and a few example messages. Later issues add the
// template-volume detector here.
#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/model/deliveries.hpp"

namespace seerflow::state {

class template_state {
 public:
  static constexpr std::size_t bucket_count = 60;
  static constexpr std::int64_t bucket_ns = 60LL * 1'000'000'000;
  static constexpr std::size_t max_examples = 3;

  explicit template_state(std::uint64_t id) : id_(id) {}

  void observe(const model::template_delivery& d);

  std::uint64_t id() const { return id_; }
  const std::string& text() const { return text_; }
  const std::string& source() const { return source_; }
  std::uint64_t event_count() const { return count_; }
  std::uint64_t text_changes() const { return changes_; }
  std::int64_t first_seen_ns() const { return first_ns_; }
  std::int64_t last_seen_ns() const { return last_ns_; }
  // Events per minute over the buckets that the newest event time covers (up to an hour).
  double rate_per_minute() const;
  const std::deque<std::string>& examples() const { return examples_; }
  // Templates the miner merged into this one (most recent last, bounded).
  const std::deque<std::uint64_t>& absorbed() const { return absorbed_; }
  static constexpr std::size_t max_absorbed = 32;

  std::string snapshot() const;
  static std::optional<template_state> restore(std::string_view bytes);
  std::string inspect_json() const;

 private:
  void count_at(std::int64_t t);

  std::uint64_t id_;
  std::string text_, source_;
  std::uint64_t count_ = 0;
  std::uint64_t changes_ = 0;
  std::int64_t first_ns_ = 0, last_ns_ = 0;
  // Ring of per-minute counts; head_bucket_ is the absolute minute number of the newest slot.
  std::array<std::uint32_t, bucket_count> buckets_{};
  std::int64_t head_bucket_ = 0;
  std::deque<std::string> examples_;
  std::deque<std::uint64_t> absorbed_;
};

}  // namespace seerflow::state
