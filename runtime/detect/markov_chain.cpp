#include "runtime/detect/markov_chain.hpp"

#include <algorithm>
#include <cmath>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x4D;  // 'M'
constexpr std::uint8_t snapshot_version = 2;

markov_settings sanitised(markov_settings s) {
  s.max_states = std::clamp<std::uint32_t>(s.max_states, 2, 65535);
  s.max_edges_per_state = std::clamp<std::uint32_t>(s.max_edges_per_state, 1, 255);
  s.count_cap = std::max<std::uint32_t>(s.count_cap, 2);
  if (!(s.smoothing > 0)) s.smoothing = 0.5;
  return s;
}
}  // namespace

markov_chain::markov_chain(const markov_settings& s) : s_(sanitised(s)) {
  // The least probable step this chain can ever see: an unseen successor of a state at its count
  // cap with every state known. Surprisal is measured against that, so 1 means "as surprising as
  // it gets" and the scale does not move with the entity's history.
  max_surprisal_ = std::log((s_.count_cap + s_.smoothing * (s_.max_states + 1)) / s_.smoothing);
}

// A 16-bit fingerprint per slot is scanned first: 128 bytes instead of 512 for a full chain,
// and an entity's chain is usually cold in the cache when its next event arrives.
static std::uint16_t fingerprint(std::uint64_t id) {
  return static_cast<std::uint16_t>((id * 0x9E3779B97F4A7C15ULL) >> 48);
}

int markov_chain::index_of(std::uint64_t id) const {
  const std::size_t n = fp_.size();
  const std::uint16_t f = fingerprint(id);
  const std::uint16_t* p = fp_.data();
  std::size_t i = 0;
#if defined(__SSE2__)
  // Eight fingerprints per compare.
  const __m128i want = _mm_set1_epi16(static_cast<short>(f));
  for (; i + 8 <= n; i += 8) {
    const __m128i got = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    auto hits = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi16(got, want)));
    while (hits) {
      const unsigned k = static_cast<unsigned>(__builtin_ctz(hits)) / 2;
      if (ids_[i + k] == id) return static_cast<int>(i + k);
      hits &= ~(3u << (2 * k));
    }
  }
#endif
  for (; i < n; ++i)
    if (p[i] == f && ids_[i] == id) return static_cast<int>(i);
  return -1;
}

double markov_chain::probability_at(int from, int to) const {
  const auto f = static_cast<std::size_t>(from);
  const edge* e = edges_of(f);
  std::uint32_t c = 0, dead = 0;
  for (std::uint8_t i = 0; i < edge_count_[f]; ++i) {
    if (!alive(e[i]))
      dead += e[i].count;
    else if (e[i].to == to)
      c = e[i].count;
  }
  // One extra outcome stands for every template this entity has not shown yet.
  const double outcomes = static_cast<double>(ids_.size() + 1);
  return (c + s_.smoothing) / ((totals_[f] - dead) + s_.smoothing * outcomes);
}

double markov_chain::probability(std::uint64_t from, std::uint64_t to) const {
  const int f = index_of(from);
  if (f < 0) return 1.0 / static_cast<double>(ids_.size() + 1);
  return probability_at(f, index_of(to));
}

void markov_chain::reset() {
  ids_.clear();
  fp_.clear();
  totals_.clear();
  last_used_.clear();
  gen_.clear();
  edge_count_.clear();
  edges_.clear();
  prev_ = -1;
  clock_ = 0;
  transitions_ = 0;
}

int markov_chain::intern(std::uint64_t id) {
  if (ids_.size() < s_.max_states) {
    ids_.push_back(id);
    fp_.push_back(fingerprint(id));
    totals_.push_back(0);
    last_used_.push_back(0);
    gen_.push_back(0);
    edge_count_.push_back(0);
    edges_.resize(edges_.size() + s_.max_edges_per_state, edge{0, 0, 0});
    return static_cast<int>(ids_.size() - 1);
  }
  // Evict the least recently used state (never the previous one, whose edge is about to grow).
  std::size_t victim = prev_ == 0 ? 1 : 0;
  for (std::size_t i = 0; i < ids_.size(); ++i)
    if (static_cast<int>(i) != prev_ && last_used_[i] < last_used_[victim]) victim = i;
  ids_[victim] = id;
  fp_[victim] = fingerprint(id);
  totals_[victim] = 0;
  edge_count_[victim] = 0;
  ++gen_[victim];  // every edge into the old state dies here
  return static_cast<int>(victim);
}

markov_chain::result markov_chain::observe(std::uint64_t template_id) {
  result r;
  ++clock_;
  int cur = index_of(template_id);
  if (prev_ < 0) {
    if (cur < 0) cur = intern(template_id);
    last_used_[static_cast<std::size_t>(cur)] = clock_;
    prev_ = cur;
    return r;
  }
  // One pass over the previous state's successors: drop dead ones, find this one.
  const auto from = static_cast<std::size_t>(prev_);
  edge* e = edges_of(from);
  std::uint8_t n = edge_count_[from];
  std::uint8_t kept = 0;
  int found = -1;
  for (std::uint8_t k = 0; k < n; ++k) {
    if (!alive(e[k])) {
      totals_[from] -= e[k].count;
      continue;
    }
    if (e[k].to == cur) found = kept;
    e[kept++] = e[k];
  }
  n = kept;
  r.warm = transitions_ >= s_.warmup_transitions;
  // One extra outcome stands for every template this entity has not shown yet.
  const double c = found >= 0 ? e[found].count : 0;
  const double outcomes = static_cast<double>(ids_.size() + 1);
  const double p = (c + s_.smoothing) / (totals_[from] + s_.smoothing * outcomes);
  r.score = std::clamp(-std::log(p) / max_surprisal_, 0.0, 1.0);

  if (cur < 0) {
    cur = intern(template_id);  // never evicts `from`, but may grow (move) the arrays
    e = edges_of(from);
  }
  if (found < 0) {
    if (n >= s_.max_edges_per_state) {
      // Full: the rarest successor makes room (the first of equals, so it is deterministic).
      std::uint8_t rare = 0;
      for (std::uint8_t k = 1; k < n; ++k)
        if (e[k].count < e[rare].count) rare = k;
      totals_[from] -= e[rare].count;
      std::copy(e + rare + 1, e + n, e + rare);
      --n;
    }
    found = n++;
    e[found] = edge{static_cast<std::uint16_t>(cur), gen_[static_cast<std::size_t>(cur)], 0};
  }
  ++e[found].count;
  edge_count_[from] = n;
  if (++totals_[from] >= s_.count_cap) {
    // Old habits fade: halve, and forget successors that fall to zero.
    std::uint32_t total = 0;
    std::uint8_t k2 = 0;
    for (std::uint8_t k = 0; k < n; ++k) {
      e[k].count /= 2;
      total += e[k].count;
      if (e[k].count) e[k2++] = e[k];
    }
    edge_count_[from] = k2;
    totals_[from] = total;
  }
  ++transitions_;
  last_used_[static_cast<std::size_t>(cur)] = clock_;
  prev_ = cur;
  return r;
}

void markov_chain::snapshot(util::byte_writer& w) const {
  w.u8(snapshot_tag);
  w.u8(snapshot_version);
  w.varint(clock_);
  w.varint(transitions_);
  w.svarint(prev_);
  w.varint(ids_.size());
  // Live edges only; a restored chain starts every slot at generation 0.
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    w.varint(ids_[i]);
    w.varint(last_used_[i]);
    const edge* e = edges_of(i);
    std::uint32_t live = 0;
    for (std::uint8_t k = 0; k < edge_count_[i]; ++k) live += alive(e[k]);
    w.varint(live);
    for (std::uint8_t k = 0; k < edge_count_[i]; ++k) {
      if (!alive(e[k])) continue;
      w.varint(e[k].to);
      w.varint(e[k].count);
    }
  }
}

bool markov_chain::restore(util::byte_reader& r) {
  if (r.u8() != snapshot_tag || r.u8() != snapshot_version) return false;
  const std::uint64_t clock = r.varint(), transitions = r.varint();
  const std::int64_t prev = r.svarint();
  const std::uint64_t n = r.varint();
  if (!r.ok() || n > s_.max_states || !r.plausible_count(n, 3) || prev < -1 ||
      prev >= static_cast<std::int64_t>(n))
    return false;
  markov_chain m(s_);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t id = r.varint();
    const std::uint64_t used = r.varint();
    const std::uint64_t edges = r.varint();
    if (!r.ok() || edges > s_.max_edges_per_state || !r.plausible_count(edges, 2) ||
        m.index_of(id) >= 0)
      return false;
    m.intern(id);
    m.last_used_[i] = used;
    edge* e = m.edges_of(i);
    std::uint64_t total = 0;
    for (std::uint64_t k = 0; k < edges; ++k) {
      const std::uint64_t to = r.varint(), count = r.varint();
      if (!r.ok() || to >= n || count == 0 || count >= s_.count_cap) return false;
      e[k] = edge{static_cast<std::uint16_t>(to), 0, static_cast<std::uint32_t>(count)};
      total += count;
    }
    if (total >= s_.count_cap) return false;
    m.edge_count_[i] = static_cast<std::uint8_t>(edges);
    m.totals_[i] = static_cast<std::uint32_t>(total);
  }
  if (!r.ok()) return false;
  m.prev_ = static_cast<int>(prev);
  m.clock_ = clock;
  m.transitions_ = transitions;
  *this = std::move(m);
  return true;
}

}  // namespace seerflow::detect
