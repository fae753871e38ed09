#pragma once
// One entity's first-order Markov chain over the templates it emits. Transition probabilities are
// additively smoothed; a step is scored by its surprisal -ln P, normalised to [0, 1]. State is
// bounded: at most max_states templates (least recently used evicted) and max_edges_per_state
// successors each (rarest evicted), with counts halved at count_cap so old habits fade.
#include <cstdint>
#include <vector>

#include "runtime/detect/settings.hpp"
#include "runtime/util/byte_codec.hpp"

namespace seerflow::detect {

class markov_chain {
 public:
  explicit markov_chain(const markov_settings& s);

  struct result {
    double score = 0;  // normalised surprisal of the transition into this template
    bool warm = false;
  };
  // Scores the transition from the previous template to this one, then learns it.
  result observe(std::uint64_t template_id);
  // The smoothed probability of from -> to (for tests and inspection).
  double probability(std::uint64_t from, std::uint64_t to) const;
  std::size_t states() const { return ids_.size(); }
  std::uint64_t transitions() const { return transitions_; }

  void snapshot(util::byte_writer& w) const;
  bool restore(util::byte_reader& r);

 private:
  struct edge {
    std::uint16_t to;
    std::uint32_t count;
  };
  struct state {
    std::uint32_t total = 0;
    std::uint64_t last_used = 0;
    std::vector<edge> edges;
  };
  int index_of(std::uint64_t id) const;
  std::uint16_t intern(std::uint64_t id);
  double probability_at(int from, int to) const;

  markov_settings s_;
  double max_surprisal_;
  std::vector<std::uint64_t> ids_;
  std::vector<state> states_;
  int prev_ = -1;
  std::uint64_t clock_ = 0, transitions_ = 0;
};

}  // namespace seerflow::detect
