#include "runtime/detect/half_space_trees.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x48;  // 'H'
constexpr std::uint8_t snapshot_version = 1;
// Nodes are rewritten to the current epoch this often, so that 16-bit epochs never alias.
constexpr std::uint64_t epoch_sweep = 1u << 15;

hst_settings sanitised(hst_settings s) {
  s.trees = std::clamp<std::uint32_t>(s.trees, 1, 256);
  s.height = std::clamp<std::uint32_t>(s.height, 1, 20);
  s.window = std::clamp<std::uint32_t>(s.window, 1, 65535);
  return s;
}
}  // namespace

half_space_trees::half_space_trees(const hst_settings& settings, std::size_t dims)
    : s_(sanitised(settings)), dims_(std::clamp<std::size_t>(dims, 1, max_dims)) {
  nodes_per_tree_ = (2u << s_.height) - 1;
  size_limit_ = static_cast<std::uint16_t>(
      std::clamp(std::floor(s_.size_limit_fraction * s_.window), 1.0, 65535.0));
  nodes_.assign(static_cast<std::size_t>(nodes_per_tree_) * s_.trees, node{0, 0, 0});
  lo_.resize(s_.trees * dims_);
  hi_.resize(s_.trees * dims_);
  tree_seed_.resize(s_.trees);
  // The paper's work space: for each dimension a random s in [0,1] and the range
  // s +- 2 max(s, 1 - s), so that splits land in different places in every tree.
  std::mt19937_64 rng(s_.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (std::size_t t = 0; t < s_.trees; ++t) {
    for (std::size_t d = 0; d < dims_; ++d) {
      const double sq = unit(rng);
      const double r = 2.0 * std::max(sq, 1.0 - sq);
      lo_[t * dims_ + d] = static_cast<float>(sq - r);
      hi_[t * dims_ + d] = static_cast<float>(sq + r);
    }
    tree_seed_[t] = static_cast<std::uint32_t>(rng());
  }
  log2_mass_.resize(s_.window + 1);
  for (std::size_t m = 1; m <= s_.window; ++m) log2_mass_[m] = std::log2(static_cast<float>(m));
  // The largest per-tree log-mass: the whole window at the deepest level.
  score_scale_ = 1.0 / (static_cast<double>(s_.height) + std::log2(double(s_.window)) + 1.0);
}

// The split dimension of a node is a hash of (tree, node): the trees are fully determined by the
// seed and cost no memory.
unsigned half_space_trees::dim_at(std::size_t tree, std::uint32_t index) const {
  std::uint32_t h = (index + 1) * 0x9E3779B1u ^ tree_seed_[tree];
  h ^= h >> 15;
  h *= 0x2C1B3C6Du;
  h ^= h >> 12;
  return static_cast<unsigned>((static_cast<std::uint64_t>(h) * dims_) >> 32);
}

std::uint16_t half_space_trees::ref_of(const node& n) const {
  const auto e = static_cast<std::uint16_t>(window_index_);
  return n.epoch == e ? n.ref : (n.epoch == static_cast<std::uint16_t>(e - 1) ? n.lat : 0);
}
std::uint16_t half_space_trees::lat_of(const node& n) const {
  return n.epoch == static_cast<std::uint16_t>(window_index_) ? n.lat : 0;
}

void half_space_trees::next_window() {
  ++window_index_;
  in_window_ = 0;
  if (window_index_ % epoch_sweep == 0) {
    for (auto& n : nodes_) n = node{ref_of(n), 0, static_cast<std::uint16_t>(window_index_)};
  }
}

double half_space_trees::score_and_update(std::span<const float> x_in) {
  float x[max_dims] = {};
  for (std::size_t d = 0; d < dims_ && d < x_in.size(); ++d) x[d] = std::clamp(x_in[d], 0.0f, 1.0f);
  const auto e = static_cast<std::uint16_t>(window_index_);
  const auto prev = static_cast<std::uint16_t>(e - 1);
  const std::uint32_t height = s_.height;
  double log_mass_sum = 0;
  float lo[max_dims], hi[max_dims];
  for (std::size_t t = 0; t < s_.trees; ++t) {
    std::copy_n(&lo_[t * dims_], dims_, lo);
    std::copy_n(&hi_[t * dims_], dims_, hi);
    node* tree = &nodes_[static_cast<std::size_t>(t) * nodes_per_tree_];
    std::uint32_t idx = 0;
    bool done = false;
    float tree_mass = 0;
    for (std::uint32_t depth = 0;; ++depth) {
      node& n = tree[idx];
      // Branch-free read of both windows, then one store of the whole node.
      const std::uint16_t ref = n.epoch == e ? n.ref : (n.epoch == prev ? n.lat : 0);
      const std::uint16_t lat = n.epoch == e ? n.lat : 0;
      n = node{ref, static_cast<std::uint16_t>(lat + 1), e};
      // The terminal node: the first with too little reference mass, or the leaf. Its score is
      // log2(mass * 2^depth), the paper's r * 2^k on a log scale.
      const bool terminal = !done && (ref < size_limit_ || depth == height);
      const float here = ref ? log2_mass_[ref] + static_cast<float>(depth) + 1.0f : 0.0f;
      tree_mass = terminal ? here : tree_mass;
      done = done || terminal;
      if (depth == height) break;
      const unsigned d = dim_at(t, idx);
      const float mid = 0.5f * (lo[d] + hi[d]);
      const bool right = x[d] >= mid;
      lo[d] = right ? mid : lo[d];
      hi[d] = right ? hi[d] : mid;
      idx = 2 * idx + 1 + static_cast<std::uint32_t>(right);
    }
    log_mass_sum += tree_mass;
  }
  const bool was_warm = warm();
  if (++in_window_ >= s_.window) next_window();
  if (!was_warm) return 0.0;
  const double score = 1.0 - log_mass_sum * score_scale_ / static_cast<double>(s_.trees);
  return std::clamp(score, 0.0, 1.0);
}

void half_space_trees::snapshot(util::byte_writer& w) const {
  w.u8(snapshot_tag);
  w.u8(snapshot_version);
  w.varint(s_.trees);
  w.varint(s_.height);
  w.varint(s_.window);
  w.varint(size_limit_);
  w.varint(s_.seed);
  w.varint(dims_);
  w.varint(window_index_);
  w.varint(in_window_);
  // Only nodes with mass, as (gap since the previous one, reference, latest).
  std::size_t live = 0;
  for (const auto& n : nodes_) live += (ref_of(n) | lat_of(n)) != 0;
  w.varint(live);
  std::size_t last = 0;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const auto ref = ref_of(nodes_[i]), lat = lat_of(nodes_[i]);
    if ((ref | lat) == 0) continue;
    w.varint(i - last);
    w.varint(ref);
    w.varint(lat);
    last = i;
  }
}

bool half_space_trees::restore(util::byte_reader& r) {
  if (r.u8() != snapshot_tag || r.u8() != snapshot_version) return false;
  if (r.varint() != s_.trees || r.varint() != s_.height || r.varint() != s_.window ||
      r.varint() != size_limit_ || r.varint() != s_.seed || r.varint() != dims_)
    return false;
  const std::uint64_t window_index = r.varint();
  const std::uint64_t in_window = r.varint();
  if (!r.ok() || window_index < 1 || in_window >= s_.window) return false;
  const std::uint64_t live = r.varint();
  if (!r.plausible_count(live, 3) || live > nodes_.size()) return false;
  std::vector<node> nodes(nodes_.size(), node{0, 0, 0});
  const auto e = static_cast<std::uint16_t>(window_index);
  std::size_t pos = 0;
  for (std::uint64_t k = 0; k < live; ++k) {
    const std::uint64_t gap = r.varint();
    const std::uint64_t ref = r.varint(), lat = r.varint();
    if (!r.ok() || (k > 0 && gap == 0) || gap >= nodes.size() - pos || ref > s_.window ||
        lat > s_.window)
      return false;
    pos += gap;
    nodes[pos] = node{static_cast<std::uint16_t>(ref), static_cast<std::uint16_t>(lat), e};
  }
  // Nodes never touched in this epoch must not read as the previous one.
  for (auto& n : nodes)
    if (n.epoch != e) n.epoch = static_cast<std::uint16_t>(e - 2);
  nodes_ = std::move(nodes);
  window_index_ = window_index;
  in_window_ = static_cast<std::uint32_t>(in_window);
  return true;
}

}  // namespace seerflow::detect
