#pragma once
// Online log template mining: Drain's fixed-depth prefix tree (He et al., ICWS 2017) with
// variable masking, templates that absorb variable-length values, LRU-bounded clusters and
// snapshot/restore. Feed it one message at a time (the log's content, after any header); it
// returns the message's cluster and that cluster's template, with "<*>" for each variable part.
//
// How it learns, beyond Drain: masks (masking.hpp) turn known kinds of values into variables;
// a word becomes a variable only on evidence (three distinct values at the same place, or
// values that differ only in their digits), never when the words look like names in code
// (CAPITALS, Capitalised, eth0-like) or differ in the first token; clusters that a generalised
// template covers are merged into it (their ids then resolve to it); a variable can stand for
// several tokens when they are values themselves (lists), when a learnt variable ends the
// template (free text), or when a group of tokens repeats. Tokens are split at whitespace and
// control characters (plus extra_delimiters); a quoted string is one token.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/parse/masking.hpp"

namespace seerflow::parse {

struct drain_options {
  int depth = 4;            // tree depth: the length level, depth-2 token levels, the leaves (2..6)
  double similarity = 0.4;  // share of a template's tokens a message must match to join it
  int max_children = 100;   // children per inner node; further tokens share the "<*>" child
  std::size_t max_clusters = 100000;       // least recently used clusters are evicted beyond this
  bool parametrize_numeric_tokens = true;  // tokens holding a digit route through "<*>" nodes
  std::string extra_delimiters;            // characters split on besides whitespace
  std::vector<mask> masks = default_masks();
  // Messages longer than this many tokens keep their tail as one variable token, and tokens
  // longer than max_token_bytes are variables: both bound the state a single cluster holds.
  std::size_t max_tokens = 256;
  std::size_t max_token_bytes = 256;
  // Approximate bytes all clusters may hold (templates, ids, indexes); least recently used
  // clusters are evicted beyond it, as beyond max_clusters. A hard bound on memory whatever the
  // messages look like (max_clusters alone bounds it only for templates of ordinary size).
  std::size_t max_state_bytes = std::size_t{256} << 20;
  // Accumulate the time spent in each stage (see drain_miner::stage_ticks); costs two clock
  // reads per token, so it is off unless a benchmark asks for it.
  bool measure_stages = false;
};

// Time spent per stage since construction, in ticks of one clock (the CPU's time-stamp counter
// where there is one): only ratios between the three are meaningful.
struct drain_stage_ticks {
  std::uint64_t tokenize = 0;  // splitting into tokens, memo lookups, multi-token values
  std::uint64_t mask = 0;      // the masks' scanners
  std::uint64_t search = 0;    // tree search, matching, learning, eviction
};

enum class template_change : std::uint8_t { none, created, updated };

struct drain_match {
  std::uint64_t cluster_id = 0;  // stable, 1-based, in creation order; never reused
  template_change change = template_change::none;
  // The cluster's template after this message (valid until the next call).
  std::string_view template_text;
  // Clusters merged into this one by this message (their ids now resolve to cluster_id; the
  // change is then `updated`). Valid until the next call.
  std::span<const std::uint64_t> absorbed;
};

class drain_miner {
 public:
  explicit drain_miner(drain_options options = {});
  drain_miner(drain_miner&&) noexcept;
  drain_miner& operator=(drain_miner&&) noexcept;
  ~drain_miner();

  // Learns from one message and returns its cluster. When params != nullptr, fills it with the
  // message's values at the template's variable positions, in order.
  drain_match add(std::string_view message, std::vector<std::string>* params = nullptr);

  // Clusters currently held (evicted ones are gone).
  std::size_t cluster_count() const;
  // The current template of a cluster (of the cluster it was merged into, if it was), or
  // nullopt when it was evicted or never existed.
  std::optional<std::string_view> template_of(std::uint64_t cluster_id) const;
  // The id a cluster id now answers to: itself, the cluster it was merged into, or 0 when it was
  // evicted or never existed.
  std::uint64_t current_id(std::uint64_t cluster_id) const;
  // Inner nodes and leaves of the prefix tree (for tests and memory reports).
  std::size_t tree_nodes() const;
  // Messages the cluster has absorbed.
  std::uint64_t size_of(std::uint64_t cluster_id) const;

  const drain_options& options() const;
  // Stage split, when options().measure_stages is set (zeros otherwise).
  drain_stage_ticks stage_ticks() const;

  // Compact binary state (runtime/util/byte_codec.hpp); restore() gives a miner that continues
  // exactly as this one would, with the same cluster ids. nullopt on corrupt input.
  std::string snapshot() const;
  static std::optional<drain_miner> restore(std::string_view bytes);

  // Error in the options (an RE2 mask that does not compile...), empty when none. A miner with
  // an invalid custom mask ignores that mask.
  const std::string& configuration_error() const;

  struct state;

 private:
  explicit drain_miner(std::unique_ptr<state> s);
  std::unique_ptr<state> s_;
};

}  // namespace seerflow::parse
