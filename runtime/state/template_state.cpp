#include "runtime/state/template_state.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "runtime/util/byte_codec.hpp"
#include "runtime/util/civil_time.hpp"

namespace seerflow::state {

namespace {
constexpr std::uint8_t snapshot_version = 1;

// Floor division; -(t + 1) rather than -t - 1 so that INT64_MIN does not overflow.
std::int64_t minute_of(std::int64_t t) {
  return t >= 0 ? t / template_state::bucket_ns : -(-(t + 1) / template_state::bucket_ns) - 1;
}

// At most max_example_bytes of an example, cut before a character that would not fit whole
// (inspect_json must stay valid UTF-8).
constexpr std::size_t max_example_bytes = 512;
std::string_view example_prefix(std::string_view s) {
  if (s.size() <= max_example_bytes) return s;
  std::size_t cut = max_example_bytes;
  for (int back = 0; back < 3 && cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80;
       ++back)
    --cut;
  return s.substr(0, cut);
}
}  // namespace

static std::size_t ring_index(std::int64_t minute) {
  const auto n = static_cast<std::int64_t>(template_state::bucket_count);
  return static_cast<std::size_t>(((minute % n) + n) % n);
}

void template_state::count_at(std::int64_t t) {
  const std::int64_t m = minute_of(t);
  if (count_ == 0) {
    buckets_.fill(0);
    head_bucket_ = m;
  } else if (m > head_bucket_) {
    // Advance the ring, clearing the minutes that passed without events.
    const std::int64_t steps = std::min<std::int64_t>(m - head_bucket_, bucket_count);
    for (std::int64_t i = 1; i <= steps; ++i) buckets_[ring_index(head_bucket_ + i)] = 0;
    head_bucket_ = m;
  }
  // Events older than the ring (late data) count in totals but not in the rate.
  if (head_bucket_ - m < static_cast<std::int64_t>(bucket_count)) ++buckets_[ring_index(m)];
}

void template_state::observe(const model::template_delivery& d) {
  if (!d.text.empty() && d.text != text_) {
    if (!text_.empty()) ++changes_;
    text_ = d.text;
  }
  if (source_.empty()) source_ = d.source;
  for (auto t : d.times) {
    count_at(t);
    if (count_ == 0) {
      first_ns_ = last_ns_ = t;
    } else {
      first_ns_ = std::min(first_ns_, t);
      last_ns_ = std::max(last_ns_, t);
    }
    ++count_;
  }
  for (auto id : d.absorbed) {
    if (absorbed_.size() == max_absorbed) absorbed_.pop_front();
    absorbed_.push_back(id);
  }
  if (!d.example.empty()) {
    if (examples_.size() == max_examples) examples_.pop_front();
    examples_.emplace_back(example_prefix(d.example));
  }
}

double template_state::rate_per_minute() const {
  if (count_ == 0) return 0.0;
  const std::int64_t first_minute = minute_of(first_ns_);
  const std::int64_t span = std::min<std::int64_t>(head_bucket_ - first_minute + 1, bucket_count);
  std::uint64_t sum = 0;
  for (std::int64_t i = 0; i < span; ++i) sum += buckets_[ring_index(head_bucket_ - i)];
  return static_cast<double>(sum) / static_cast<double>(span);
}

std::string template_state::snapshot() const {
  util::byte_writer w;
  w.u8(snapshot_version);
  w.varint(id_);
  w.str(text_);
  w.str(source_);
  w.varint(count_);
  w.varint(changes_);
  w.svarint(first_ns_);
  w.svarint(last_ns_);
  w.svarint(head_bucket_);
  for (auto b : buckets_) w.varint(b);
  w.varint(examples_.size());
  for (const auto& e : examples_) w.str(e);
  w.varint(absorbed_.size());
  for (auto id : absorbed_) w.varint(id);
  return w.take();
}

std::optional<template_state> template_state::restore(std::string_view bytes) {
  util::byte_reader r(bytes);
  if (r.u8() != snapshot_version) return std::nullopt;
  template_state s(r.varint());
  s.text_ = r.str();
  s.source_ = r.str(4096);
  s.count_ = r.varint();
  s.changes_ = r.varint();
  s.first_ns_ = r.svarint();
  s.last_ns_ = r.svarint();
  s.head_bucket_ = r.svarint();
  for (auto& b : s.buckets_) b = static_cast<std::uint32_t>(r.varint());
  const auto n = r.varint();
  if (n > max_examples) return std::nullopt;
  for (std::uint64_t i = 0; i < n && r.ok(); ++i) s.examples_.push_back(r.str(4096));
  const auto a = r.varint();
  if (a > max_absorbed) return std::nullopt;
  for (std::uint64_t i = 0; i < a && r.ok(); ++i) s.absorbed_.push_back(r.varint());
  if (!r.ok() || !r.at_end()) return std::nullopt;
  // The clock fields come from the same events: the head is the newest event's minute and the
  // first is not after the last. A snapshot that says otherwise is damaged, and believing it
  // would send the ring arithmetic out of range.
  if (s.count_ > 0 && (s.first_ns_ > s.last_ns_ || s.head_bucket_ != minute_of(s.last_ns_)))
    return std::nullopt;
  return s;
}

std::string template_state::inspect_json() const {
  nlohmann::ordered_json j;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(id_));
  j["template_id"] = hex;
  j["source"] = source_;
  j["template"] = text_;
  j["events"] = count_;
  j["text_changes"] = changes_;
  j["first_seen"] = count_ ? util::format_rfc3339(first_ns_) : "";
  j["last_seen"] = count_ ? util::format_rfc3339(last_ns_) : "";
  j["rate_per_minute"] = rate_per_minute();
  j["examples"] = examples_;
  auto merged = nlohmann::json::array();
  for (auto id : absorbed_) {
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(id));
    merged.push_back(hex);
  }
  j["absorbed"] = std::move(merged);
  // Text restored from a damaged snapshot may not be UTF-8; dump() would throw on it.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace seerflow::state
