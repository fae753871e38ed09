#pragma once
// The entity-level channels of one entity, for the entity actor to own: sequence (a Markov
// chain over the templates the entity emits) and entity volume (Holt-Winters on the entity's
// event-time buckets). A template actor owns a plain volume_model for the template volume.
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/detect/ensemble.hpp"
#include "runtime/detect/markov_chain.hpp"
#include "runtime/detect/settings.hpp"
#include "runtime/detect/volume_model.hpp"

namespace seerflow::detect {

struct entity_partials {
  partial_score sequence, entity_volume;

  void into(partial_scores& p) const {
    at(p, channel::sequence) = sequence;
    at(p, channel::entity_volume) = entity_volume;
  }
};

class entity_detector {
 public:
  explicit entity_detector(const settings& s) : chain_(s.sequence), volume_(s.volume, false) {}

  // One event of this entity, in the entity's event order.
  entity_partials observe(std::int64_t time_ns, std::uint64_t template_id) {
    const auto m = chain_.observe(template_id);
    const auto v = volume_.observe(time_ns);
    return {partial_score{m.score, true, m.warm}, partial_score{v.z, true, v.warm}};
  }
  const markov_chain& sequence() const { return chain_; }
  const volume_model& volume() const { return volume_; }

  std::string snapshot() const {
    util::byte_writer w;
    w.u8(0x4E);  // 'N'
    w.u8(2);
    chain_.snapshot(w);
    volume_.snapshot(w);
    return w.take();
  }
  // false (and *this unchanged) on damaged bytes or a snapshot taken with other settings.
  bool restore(std::string_view bytes) {
    util::byte_reader r(bytes);
    if (r.u8() != 0x4E || r.u8() != 2) return false;
    markov_chain c = chain_;
    volume_model v = volume_;
    if (!c.restore(r) || !v.restore(r) || !r.at_end()) return false;
    chain_ = std::move(c);
    volume_ = std::move(v);
    return true;
  }

 private:
  markov_chain chain_;
  volume_model volume_;
};

}  // namespace seerflow::detect
