#pragma once
// The source-level channels of one source, for the source actor to own: content (half-space
// trees on the event's features), volume (Holt-Winters on the source's event-time buckets) and
// change (CUSUM on the same buckets). Feed it every event; it returns the three partial scores
// for that event, ready for the ensemble or for a message.
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/detect/content_features.hpp"
#include "runtime/detect/cusum.hpp"
#include "runtime/detect/ensemble.hpp"
#include "runtime/detect/half_space_trees.hpp"
#include "runtime/detect/settings.hpp"
#include "runtime/detect/volume_model.hpp"

namespace seerflow::detect {

struct source_partials {
  partial_score content, volume, change;
  bool change_alarm = false;  // CUSUM crossed h at a bucket closed by this event
  int change_direction = 0;   // +1 up, -1 down

  // Copies the three into the ensemble's input (the other channels come from other actors).
  void into(partial_scores& p) const {
    at(p, channel::content) = content;
    at(p, channel::volume) = volume;
    at(p, channel::change) = change;
  }
};

class source_detector {
 public:
  explicit source_detector(const settings& s);

  source_partials observe(const event_features& e);
  // Moves event time forward without an event (a watermark or idle tick), so a source that went
  // silent has its empty buckets scored; content is not present in the result.
  source_partials advance(std::int64_t t);

  const half_space_trees& content() const { return hst_; }
  const volume_model& volume() const { return volume_; }
  const cusum& change() const { return cusum_; }

  std::string snapshot() const;
  // false (and *this unchanged) on damaged bytes or a snapshot taken with other settings.
  bool restore(std::string_view bytes);

 private:
  source_partials volume_step(std::int64_t t, bool count_event);

  settings s_;
  content_features features_;
  half_space_trees hst_;
  volume_model volume_;
  cusum cusum_;
  // CUSUM runs per bucket; the latest statistic (the event closing a bucket carries it).
  partial_score last_change_;
};

}  // namespace seerflow::detect
