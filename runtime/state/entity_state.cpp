#include "runtime/state/entity_state.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "runtime/util/byte_codec.hpp"
#include "runtime/util/civil_time.hpp"

namespace seerflow::state {

namespace {
// Version 2 appends the correlation state; version 1 snapshots (before correlation) still load.
constexpr std::uint8_t snapshot_version = 2;

// watermark - span, saturated: event times are parsed from logs and snapshots are read from
// disk, so neither is trusted not to sit near the ends of the int64 range.
std::int64_t window_start(std::int64_t watermark, std::int64_t span) {
  std::int64_t start;
  if (__builtin_sub_overflow(watermark, span, &start))
    return span > 0 ? std::numeric_limits<std::int64_t>::min()
                    : std::numeric_limits<std::int64_t>::max();
  return start;
}
}  // namespace

entity_state::entity_state(model::entity_ref ref, window_options opts,
                           const correlate::settings& corr)
    : ref_(std::move(ref)), opts_(opts), corr_(corr) {}

std::size_t entity_state::correlate(const std::string& source,
                                    const std::vector<model::finding>& findings,
                                    std::vector<model::alert>& out) {
  if (findings.empty()) return 0;
  return corr_.apply(ref_, source, findings, out);
}

void entity_state::observe(const std::vector<model::entity_observation>& obs) {
  for (const auto& o : obs) {
    if (count_ == 0) {
      first_ns_ = last_ns_ = o.time_ns;
    } else {
      first_ns_ = std::min(first_ns_, o.time_ns);
      last_ns_ = std::max(last_ns_, o.time_ns);
    }
    ++count_;
    if (count_ == 1) {
      watermark_ns_ = o.time_ns;  // the first event anchors it, even before 1970
    } else if (o.time_ns < window_start(watermark_ns_, opts_.span_ns)) {
      ++late_;
      continue;
    }
    watermark_ns_ = std::max(watermark_ns_, o.time_ns);
    // Arrival order, O(1): sources interleave, so event times are only nearly sorted, and
    // keeping them sorted would cost a scan per observation on the hottest actor path.
    window_.push_back(o);
  }
  trim();
}

void entity_state::trim() {
  // The window holds at most max_events observations, and drops from its old end whatever has
  // fallen out of [watermark - span, watermark]; an out-of-order stale entry behind a fresh one
  // leaves when it reaches the front.
  while (window_.size() > opts_.max_events) window_.pop_front();
  const std::int64_t start = window_start(watermark_ns_, opts_.span_ns);
  while (!window_.empty() && window_.front().time_ns < start) window_.pop_front();
}

std::string entity_state::snapshot() const {
  util::byte_writer w;
  w.u8(snapshot_version);
  w.u8(static_cast<std::uint8_t>(ref_.type));
  w.str(ref_.value);
  w.raw(std::string_view(reinterpret_cast<const char*>(ref_.id.data()), ref_.id.size()));
  w.varint(count_);
  w.varint(late_);
  w.svarint(first_ns_);
  w.svarint(last_ns_);
  w.svarint(watermark_ns_);
  w.varint(window_.size());
  for (const auto& o : window_) {
    w.svarint(o.time_ns);
    w.varint(o.seq);
    w.varint(o.template_id);
  }
  corr_.write(w);
  return w.take();
}

std::optional<entity_state> entity_state::restore(std::string_view bytes, window_options opts,
                                                  const correlate::settings& corr) {
  util::byte_reader r(bytes);
  const auto version = r.u8();
  if (version != 1 && version != snapshot_version) return std::nullopt;
  const auto type = r.u8();
  if (type >= model::entity_type_names.size()) return std::nullopt;
  model::entity_ref ref;
  ref.type = static_cast<model::entity_type>(type);
  ref.value = r.str(4096);
  for (auto& b : ref.id) b = r.u8();
  entity_state s(std::move(ref), opts, corr);
  s.count_ = r.varint();
  s.late_ = r.varint();
  s.first_ns_ = r.svarint();
  s.last_ns_ = r.svarint();
  s.watermark_ns_ = r.svarint();
  const auto n = r.varint();
  if (!r.plausible_count(n, 3)) return std::nullopt;
  for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
    model::entity_observation o;
    o.time_ns = r.svarint();
    o.seq = r.varint();
    o.template_id = r.varint();
    s.window_.push_back(o);
  }
  if (version >= 2 && !s.corr_.read(r)) return std::nullopt;
  if (!r.ok() || !r.at_end()) return std::nullopt;
  s.trim();  // the options may have shrunk since the snapshot was taken
  return s;
}

std::string entity_state::inspect_json(std::size_t max_window_items) const {
  nlohmann::ordered_json j;
  j["type"] = std::string(model::to_string(ref_.type));
  j["value"] = ref_.value;
  j["events"] = count_;
  j["first_seen"] = count_ ? util::format_rfc3339(first_ns_) : "";
  j["last_seen"] = count_ ? util::format_rfc3339(last_ns_) : "";
  j["late_events"] = late_;
  j["window_size"] = window_.size();
  // The most recent items in event-time order.
  std::vector<model::entity_observation> sorted(window_.begin(), window_.end());
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.time_ns < b.time_ns; });
  auto recent = nlohmann::ordered_json::array();
  const std::size_t skip = sorted.size() > max_window_items ? sorted.size() - max_window_items : 0;
  for (std::size_t i = skip; i < sorted.size(); ++i) {
    const auto& o = sorted[i];
    nlohmann::ordered_json item;
    item["time"] = util::format_rfc3339(o.time_ns);
    item["seq"] = o.seq;
    item["template_id"] = o.template_id;
    recent.push_back(std::move(item));
  }
  j["window_recent"] = std::move(recent);
  j["correlation"] = corr_.view();
  // A value restored from a damaged snapshot may not be UTF-8; dump() would throw on it.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace seerflow::state
