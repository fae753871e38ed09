#include "runtime/detect/stream_scorer.hpp"

#include <cmath>
#include <vector>

#include "runtime/util/byte_codec.hpp"

namespace seerflow::detect {
namespace {

constexpr std::uint32_t snapshot_version = 3;
// The entities of one event that feed the sequence and entity-volume channels, at most: an
// event naming 40 addresses must not cost 40 chain updates.
constexpr std::uint32_t max_entities_per_event = 4;

}  // namespace

std::uint32_t otel_severity_from_syslog(int severity) {
  // OpenTelemetry: TRACE 1-4, DEBUG 5-8, INFO 9-12, WARN 13-16, ERROR 17-20, FATAL 21-24.
  switch (severity) {
    case 0:
      return 24;  // emergency
    case 1:
      return 23;  // alert
    case 2:
      return 21;  // critical
    case 3:
      return 17;  // error
    case 4:
      return 13;  // warning
    case 5:
      return 10;  // notice
    case 6:
      return 9;  // informational
    case 7:
      return 5;  // debug
    default:
      return 0;
  }
}

stream_scorer::stream_scorer(const settings& s, std::size_t max_sequence_entities)
    : s_(s),
      max_entities_(max_sequence_entities ? max_sequence_entities : 1),
      source_(s),
      templates_(s.volume, s.template_volume_capacity),
      entity_volume_(s.volume, s.entity_volume_capacity),
      ensemble_(s.ensemble),
      chain_slots_(max_entities_) {}

markov_chain& stream_scorer::chain_for(std::uint64_t entity) {
  const auto p = chain_slots_.use(entity);
  if (p.slot == chains_.size())
    chains_.emplace_back(s_.sequence);
  else if (p.fresh)
    chains_[p.slot].reset();  // the evicted entity's buffers serve the new one
  return chains_[p.slot];
}

partial_scores stream_scorer::channels(const stream_event& e) {
  ++events_;
  partial_scores p{};
  event_features f;
  f.time_ns = e.time_ns;
  f.template_id = e.template_id;
  f.entity_count = e.entity_count;
  f.severity = e.severity;
  f.param_count = e.param_count;
  f.message_length = e.message_length;
  f.message = e.message;
  source_.observe(f).into(p);

  const auto tv = templates_.observe(e.template_id, e.time_ns);
  at(p, channel::template_volume) = {tv.z, true, tv.warm};

  // Sequence and entity volume: the most surprising of the event's entities speaks for it.
  const std::uint32_t n = std::min(e.entity_count, max_entities_per_event);
  if (n > 0 && e.entity_keys) {
    partial_score seq{0, true, false}, vol{0, true, false};
    for (std::uint32_t i = 0; i < n; ++i) {
      const auto m = chain_for(e.entity_keys[i]).observe(e.template_id);
      if (m.warm && (!seq.warm || m.score > seq.value)) seq = {m.score, true, true};
      if (!seq.warm) seq.value = std::max(seq.value, m.score);
      const auto v = entity_volume_.observe(e.entity_keys[i], e.time_ns);
      if (v.warm && (!vol.warm || std::abs(v.z) > std::abs(vol.value))) vol = {v.z, true, true};
    }
    at(p, channel::sequence) = seq;
    at(p, channel::entity_volume) = vol;
  }
  return p;
}

ensemble_result stream_scorer::fuse(const partial_scores& p) {
  auto r = ensemble_.fuse(p);
  if (r.anomaly) ++anomalies_;
  return r;
}

std::string stream_scorer::snapshot() const {
  util::byte_writer w;
  w.varint(snapshot_version);
  w.str(source_.snapshot());
  templates_.snapshot(w);
  entity_volume_.snapshot(w);
  ensemble_.snapshot(w);
  w.varint(chain_slots_.size());
  for (const auto slot : chain_slots_.order()) {  // least recently used first: a restore that
    w.varint(chain_slots_.id_at(slot));           // uses them in order keeps the recency
    chains_[slot].snapshot(w);
  }
  w.varint(events_);
  w.varint(anomalies_);
  return w.take();
}

bool stream_scorer::restore(std::string_view bytes) {
  util::byte_reader r(bytes);
  if (r.varint() != snapshot_version || !r.ok()) return false;
  stream_scorer fresh(s_, max_entities_);
  const auto src = r.str(1u << 30);
  if (!r.ok() || !fresh.source_.restore(src)) return false;
  if (!fresh.templates_.restore(r) || !fresh.entity_volume_.restore(r) ||
      !fresh.ensemble_.restore(r))
    return false;
  const auto n = r.varint();
  if (!r.ok() || n > max_entities_) return false;
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto id = r.varint();
    if (!r.ok() || fresh.chain_slots_.find(id) >= 0) return false;
    auto& c = fresh.chain_for(id);
    if (!c.restore(r)) return false;
  }
  fresh.events_ = r.varint();
  fresh.anomalies_ = r.varint();
  if (!r.ok() || !r.at_end()) return false;
  *this = std::move(fresh);
  return true;
}

}  // namespace seerflow::detect
