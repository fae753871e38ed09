#pragma once
// Every channel of the ensemble for one source's event stream, in one object the source actor
// owns: content (half-space trees), source volume and change (Holt-Winters, CUSUM), template
// volume (a Holt-Winters per template), and per entity a Markov chain over its templates and a
// volume model, fused and thresholded by a biDSPOT. One event in, one verdict out, in event time.
//
// The design puts the template and entity channels in the template and entity actors,
// with partial scores travelling in batched messages; this object computes them beside the
// source's own channels instead (bounded LRU pools), which gives the same scores for a source's
// own templates and entities without a join.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/detect/ensemble.hpp"
#include "runtime/detect/lru_slots.hpp"
#include "runtime/detect/markov_chain.hpp"
#include "runtime/detect/settings.hpp"
#include "runtime/detect/source_detector.hpp"
#include "runtime/detect/volume_pool.hpp"

namespace seerflow::detect {

// What the scorer needs to know of an event (the source actor fills it from model::event).
struct stream_event {
  std::int64_t time_ns = 0;
  std::uint64_t template_id = 0;
  std::uint32_t severity = 0;  // OpenTelemetry severity number, 0 = unspecified
  std::uint32_t param_count = 0;
  std::uint32_t message_length = 0;
  // The message itself, read only when its template is new (lexical novelty, content_features).
  std::string_view message;
  const std::uint64_t* entity_keys = nullptr;
  std::uint32_t entity_count = 0;
};

// Syslog severity (0 emergency .. 7 debug, -1 unknown) as an OpenTelemetry severity number.
std::uint32_t otel_severity_from_syslog(int severity);

class stream_scorer {
 public:
  explicit stream_scorer(const settings& s, std::size_t max_sequence_entities = 4096);

  ensemble_result score(const stream_event& e) { return fuse(channels(e)); }
  // The two halves of score(): every channel's partial score for e (the channels learn e), then
  // their fusion and verdict. Split for tools that look at the channels themselves.
  partial_scores channels(const stream_event& e);
  ensemble_result fuse(const partial_scores& p);

  std::uint64_t events() const { return events_; }
  std::uint64_t anomalies() const { return anomalies_; }
  const ensemble& fused() const { return ensemble_; }
  std::size_t sequence_entities() const { return chain_slots_.size(); }

  std::string snapshot() const;
  // false (and *this unchanged) on damaged bytes or a snapshot taken with other settings.
  bool restore(std::string_view bytes);

 private:
  markov_chain& chain_for(std::uint64_t entity);

  settings s_;
  std::size_t max_entities_;
  source_detector source_;
  volume_pool templates_;
  volume_pool entity_volume_;
  ensemble ensemble_;
  // Entity -> Markov chain, bounded by least recently used eviction.
  lru_slots chain_slots_;
  std::vector<markov_chain> chains_;  // per slot
  std::uint64_t events_ = 0, anomalies_ = 0;
};

}  // namespace seerflow::detect
