#pragma once
// Turns one event into the half-space trees' feature vector, every feature scaled to [0, 1] by a
// fixed, known range (the trees' work space must not move under them):
//   0, 1  template identity: two independent hashes of the template id, so each template is a
//         point of its own and a new template lands somewhere no mass has been;
//   2     template rarity: log2(1 + recent count) / log2(1 + cap), the recent count halving
//         every rarity_half_life events (0 for a template never or long not seen);
//   3     entity count, capped at 16;   4  severity number (OpenTelemetry 1-24);
//   5     parameter count, capped at 32; 6  message length, log2(1 + bytes) / 16, capped.
// Beside the vector, the template's novelty: its surprisal under the same decayed counts,
// log2((total + 1) / (count + 1/2)), in units of log2((total + 1) / (1/2)) (so a template seen
// once is near 1), capped at 2. The trees split each dimension only a few times, so among dozens
// of known templates a new one lands in a cell that already has mass; the novelty says it
// directly. A never-seen template's count is the stream's recent rate of new templates (first
// sightings, halving every novelty_half_life events) plus 1/64: the first new template after a
// quiet stretch scores about 1.45, six bits above a template seen once, the tenth of a burst of
// them (a reboot, a new release, a day rolling over) under 0.75, since by then a new template is
// what this stream writes (Good-Turing's reading of unseen mass: as large as what was recently
// seen for the first time).
// At a first sighting the novelty is also weighed by how new the message's words are: a new
// template made of the stream's own words (another sshd phrasing, a kernel line naming a
// different device) is a variation, one whose words this source has never written (a panic, an
// out-of-memory kill in an application log) is news. The factor goes from 1/4 (every word
// known) to 3/2 (none) with the share of the message's distinct words (runs of three or more
// letters, case folded) not in the source's vocabulary; the vocabulary is the words of every
// first sighting so far, bounded. Only first sightings are tokenised, so it costs nothing on the
// stream's usual events.
#include <array>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runtime/detect/settings.hpp"
#include "runtime/util/byte_codec.hpp"

namespace seerflow::detect {

struct event_features {
  std::int64_t time_ns = 0;  // event time
  std::uint64_t template_id = 0;
  std::uint32_t entity_count = 0;
  std::uint32_t severity = 0;  // OpenTelemetry severity number, 0 = unspecified
  std::uint32_t param_count = 0;
  std::uint32_t message_length = 0;  // bytes
  std::string_view message;          // read only at a template's first sighting
};

class content_features {
 public:
  static constexpr std::size_t dims = 7;
  // Events over which the rate of new templates halves.
  static constexpr double novelty_half_life = 16;
  // Words the vocabulary holds at most; past that it learns no more.
  static constexpr std::size_t max_vocabulary = 65536;
  explicit content_features(const hst_settings& s);

  // The vector for e; also counts e's template toward its rarity.
  std::array<float, dims> encode(const event_features& e);
  // The same quantised to 8 bits, as half_space_trees consumes it.
  std::array<std::uint8_t, dims> encode_quantised(const event_features& e);
  std::size_t tracked_templates() const { return counts_.size(); }
  // The novelty of the template of the last encoded event.
  double novelty() const { return novelty_; }
  // The share of new words in the message of the last encoded event if its template was new,
  // else -1.
  double lexical_novelty() const { return lexical_; }
  std::size_t vocabulary() const { return vocabulary_.size(); }

  void snapshot(util::byte_writer& w) const;
  bool restore(util::byte_reader& r);

 private:
  struct recent {
    double count;
    std::uint64_t at;  // event number of the last update
  };
  void prune();
  // The share of `message`'s distinct words not in the vocabulary (then learnt); -1 if it has
  // no words.
  double learn_words(std::string_view message);
  // 2^(-gap / half_life), from a table for the short gaps of frequent templates (the same
  // expression, so the same bits).
  double decay_over(std::uint64_t gap) const {
    return gap < decay_table_.size() ? decay_table_[gap]
                                     : std::exp2(-static_cast<double>(gap) / half_life_);
  }

  std::uint32_t half_life_, max_templates_;
  double rarity_scale_;
  double decay_;  // per-event factor of every count: 2^(-1 / half_life)
  double novelty_ = 0;
  double lexical_ = -1;
  std::unordered_set<std::uint64_t> vocabulary_;  // hashes of words
  std::vector<std::uint64_t> words_;              // scratch: the message's words
  double fresh_ = 0;  // decayed count of first sightings (new templates)
  std::uint64_t clock_ = 0;
  std::unordered_map<std::uint64_t, recent> counts_;
  std::vector<double> decay_table_;
  // log2(1 + bytes) / 16 for the usual message lengths (computed as in encode).
  std::vector<float> length_table_;
  // Once 2^(-(clock - 1) / half_life) is below 2^-55, 1 minus it rounds to 1: the decayed total
  // and the surprisal of a seen-nothing template stop changing and are computed once.
  bool total_settled_ = false;
  double settled_total_ = 0, settled_log2_scale_ = 0;
};

}  // namespace seerflow::detect
