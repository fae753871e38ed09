#include "runtime/detect/markov_chain.hpp"

#include <algorithm>
#include <cmath>

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x4D;  // 'M'
constexpr std::uint8_t snapshot_version = 1;

markov_settings sanitised(markov_settings s) {
  s.max_states = std::clamp<std::uint32_t>(s.max_states, 2, 65535);
  s.max_edges_per_state = std::max<std::uint32_t>(s.max_edges_per_state, 1);
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

int markov_chain::index_of(std::uint64_t id) const {
  for (std::size_t i = 0; i < ids_.size(); ++i)
    if (ids_[i] == id) return static_cast<int>(i);
  return -1;
}

double markov_chain::probability_at(int from, int to) const {
  const auto& st = states_[static_cast<std::size_t>(from)];
  std::uint32_t c = 0;
  if (to >= 0)
    for (const auto& e : st.edges)
      if (e.to == to) c = e.count;
  // One extra outcome stands for every template this entity has not shown yet.
  const double outcomes = static_cast<double>(ids_.size() + 1);
  return (c + s_.smoothing) / (st.total + s_.smoothing * outcomes);
}

double markov_chain::probability(std::uint64_t from, std::uint64_t to) const {
  const int f = index_of(from);
  if (f < 0) return 1.0 / static_cast<double>(ids_.size() + 1);
  return probability_at(f, index_of(to));
}

std::uint16_t markov_chain::intern(std::uint64_t id) {
  if (ids_.size() < s_.max_states) {
    ids_.push_back(id);
    states_.emplace_back();
    return static_cast<std::uint16_t>(ids_.size() - 1);
  }
  // Evict the least recently used state (never the previous one, whose edge is about to grow),
  // and every edge into it.
  std::size_t victim = 0;
  std::uint64_t oldest = UINT64_MAX;
  for (std::size_t i = 0; i < states_.size(); ++i)
    if (static_cast<int>(i) != prev_ && states_[i].last_used < oldest)
      oldest = states_[i].last_used, victim = i;
  for (auto& st : states_) {
    auto it = std::find_if(st.edges.begin(), st.edges.end(),
                           [&](const edge& e) { return e.to == victim; });
    if (it != st.edges.end()) {
      st.total -= it->count;
      st.edges.erase(it);
    }
  }
  ids_[victim] = id;
  states_[victim] = state{};
  return static_cast<std::uint16_t>(victim);
}

markov_chain::result markov_chain::observe(std::uint64_t template_id) {
  result r;
  ++clock_;
  int cur = index_of(template_id);
  if (prev_ >= 0) {
    r.warm = transitions_ >= s_.warmup_transitions;
    const double p = probability_at(prev_, cur);
    r.score = std::clamp(-std::log(p) / max_surprisal_, 0.0, 1.0);
  }
  if (cur < 0) cur = intern(template_id);
  if (prev_ >= 0) {
    auto& st = states_[static_cast<std::size_t>(prev_)];
    auto it =
        std::find_if(st.edges.begin(), st.edges.end(), [&](const edge& e) { return e.to == cur; });
    if (it == st.edges.end()) {
      if (st.edges.size() >= s_.max_edges_per_state) {
        auto rare =
            std::min_element(st.edges.begin(), st.edges.end(),
                             [](const edge& a, const edge& b) { return a.count < b.count; });
        st.total -= rare->count;
        st.edges.erase(rare);
      }
      st.edges.push_back(edge{static_cast<std::uint16_t>(cur), 0});
      it = st.edges.end() - 1;
    }
    ++it->count;
    ++st.total;
    if (st.total >= s_.count_cap) {
      st.total = 0;
      for (auto& e : st.edges) st.total += (e.count /= 2);
      std::erase_if(st.edges, [](const edge& e) { return e.count == 0; });
    }
    ++transitions_;
  }
  states_[static_cast<std::size_t>(cur)].last_used = clock_;
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
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    w.varint(ids_[i]);
    w.varint(states_[i].last_used);
    w.varint(states_[i].edges.size());
    for (const auto& e : states_[i].edges) {
      w.varint(e.to);
      w.varint(e.count);
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
  std::vector<std::uint64_t> ids(n);
  std::vector<state> states(n);
  for (std::size_t i = 0; i < n; ++i) {
    ids[i] = r.varint();
    states[i].last_used = r.varint();
    const std::uint64_t m = r.varint();
    if (!r.ok() || m > s_.max_edges_per_state || !r.plausible_count(m, 2)) return false;
    for (std::uint64_t k = 0; k < m; ++k) {
      const std::uint64_t to = r.varint(), count = r.varint();
      if (!r.ok() || to >= n || count == 0 || count >= s_.count_cap) return false;
      states[i].edges.push_back(
          edge{static_cast<std::uint16_t>(to), static_cast<std::uint32_t>(count)});
      states[i].total += static_cast<std::uint32_t>(count);
    }
    if (states[i].total >= s_.count_cap) return false;
    for (std::size_t j = 0; j < i; ++j)
      if (ids[j] == ids[i]) return false;
  }
  if (!r.ok()) return false;
  ids_ = std::move(ids);
  states_ = std::move(states);
  prev_ = static_cast<int>(prev);
  clock_ = clock;
  transitions_ = transitions;
  return true;
}

}  // namespace seerflow::detect
