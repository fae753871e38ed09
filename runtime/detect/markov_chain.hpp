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

  // Back to the state of a new chain with the same settings, keeping the buffers: a pool that
  // evicts one entity's chain for another's allocates nothing.
  void reset();

 private:
  // Edges live in one flat array, max_edges_per_state slots per state. An edge names its target
  // by slot and by the slot's generation: evicting a state bumps the generation, which kills
  // every edge into it at once; dead edges are dropped when their source is next visited.
  struct edge {
    std::uint16_t to;
    std::uint16_t gen;
    std::uint32_t count;
  };
  int index_of(std::uint64_t id) const;
  int intern(std::uint64_t id);
  edge* edges_of(std::size_t from) { return &edges_[from * s_.max_edges_per_state]; }
  const edge* edges_of(std::size_t from) const { return &edges_[from * s_.max_edges_per_state]; }
  bool alive(const edge& e) const { return e.gen == gen_[e.to]; }
  double probability_at(int from, int to) const;

  markov_settings s_;
  double max_surprisal_;
  std::vector<std::uint64_t> ids_;        // per state slot: the template id
  std::vector<std::uint16_t> fp_;         // per slot: a fingerprint of the id, scanned first
  std::vector<std::uint32_t> totals_;     // per slot: transitions out (dead edges included
                                          // until purged)
  std::vector<std::uint64_t> last_used_;  // per slot: clock of the last visit
  std::vector<std::uint16_t> gen_;        // per slot
  std::vector<std::uint8_t> edge_count_;  // per slot
  std::vector<edge> edges_;
  int prev_ = -1;
  std::uint64_t clock_ = 0, transitions_ = 0;
};

}  // namespace seerflow::detect
