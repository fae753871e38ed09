#include "runtime/detect/half_space_trees.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <random>
#include <utility>

namespace seerflow::detect {

namespace {
constexpr std::uint8_t snapshot_tag = 0x48;  // 'H'
constexpr std::uint8_t snapshot_version = 3;
// Blocks are rewritten to the current epoch this often, so that 16-bit epochs never alias.
constexpr std::uint64_t epoch_sweep = 1u << 15;

hst_settings sanitised(hst_settings s) {
  s.trees = std::clamp<std::uint32_t>(s.trees, 1, half_space_trees::max_trees);
  s.height = std::clamp<std::uint32_t>(s.height, 1, half_space_trees::max_height);
  s.window = std::clamp<std::uint32_t>(s.window, 1, 65535);
  return s;
}
}  // namespace

half_space_trees::half_space_trees(const hst_settings& settings, std::size_t dims)
    : s_(sanitised(settings)), dims_(std::clamp<std::size_t>(dims, 1, max_dims)) {
  const std::uint32_t levels = s_.height + 1;  // node depths 0..height
  chain_ = (levels + block_levels - 1) / block_levels;
  std::uint32_t width = 1;
  for (std::uint32_t b = 0; b < chain_; ++b) {
    blocks_per_tree_ += width;
    width *= 1u << block_levels;
  }
  size_limit_ = static_cast<std::uint16_t>(
      std::clamp(std::floor(s_.size_limit_fraction * s_.window), 1.0, 65535.0));
  blocks_.assign(static_cast<std::size_t>(blocks_per_tree_) * s_.trees, block{});
  spread_.assign(s_.trees * dims_ * 256 + 3, 0);  // + 3: see score_and_update
  zero_row_.assign(s_.trees + 3, 0);
  // The paper's work space: for each dimension a random s in [0,1] and the range
  // s +- 2 max(s, 1 - s), so that splits land in different places in every tree.
  std::mt19937_64 rng(s_.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<std::uint8_t> dim(s_.height);
  std::uint8_t bits[max_dims];
  for (std::size_t t = 0; t < s_.trees; ++t) {
    // One random dimension per level. A draw where one dimension takes more than 8 levels is
    // redrawn: the features carry 8 bits, deeper splits of them would be empty.
    for (bool ok = false; !ok;) {
      std::fill(bits, bits + max_dims, 0);
      for (std::size_t k = 0; k < s_.height; ++k) {
        dim[k] = static_cast<std::uint8_t>((static_cast<std::uint64_t>(rng() >> 32) * dims_) >> 32);
        ++bits[dim[k]];
      }
      ok = *std::max_element(bits, bits + dims_) <= 8;
    }
    for (std::size_t d = 0; d < dims_; ++d) {
      const double sq = unit(rng);
      const double r = 2.0 * std::max(sq, 1.0 - sq);
      // Halving the work range [sq - r, sq + r] bits[d] times is the coordinate's binary
      // expansion in it: cell = floor((x - lo) / (2r) * 2^bits). Level k (from the root) holds
      // path bit height-1-k and takes the next most significant bit of its dimension's cell.
      for (std::uint32_t v = 0; v < 256; ++v) {
        const double x = v / 255.0;
        const auto cells = static_cast<double>(1u << bits[d]);
        const auto cell = static_cast<std::uint32_t>(
            std::min(cells - 1, std::floor((x - (sq - r)) / (2 * r) * cells)));
        std::uint32_t placed = 0;
        int next = bits[d] - 1;
        for (std::size_t k = 0; k < s_.height; ++k)
          if (dim[k] == d) placed |= ((cell >> next--) & 1u) << (s_.height - 1 - k);
        spread_[(d * 256 + v) * s_.trees + t] = placed;
      }
    }
  }
  log2_mass_.resize(s_.window + 1);
  for (std::size_t m = 1; m <= s_.window; ++m) log2_mass_[m] = std::log2(static_cast<float>(m));
  // The largest per-tree log-mass: the whole window at the deepest level.
  score_scale_ = 1.0 / (static_cast<double>(s_.height) + std::log2(double(s_.window)) + 1.0);
}

std::uint8_t half_space_trees::quantise(float v) {
  return static_cast<std::uint8_t>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f);
}

void half_space_trees::roll(block& b) const {
  // A node is the 32-bit word ref | lat << 16 (both little-endian halves), so rolling is a
  // shift of 15 words: lat becomes ref and lat starts at zero. Vectorised by the compiler.
  static_assert(sizeof(node) == 4 && offsetof(block, n) == 0);
  const auto e = static_cast<std::uint16_t>(window_index_);
  const std::uint32_t keep = b.epoch == static_cast<std::uint16_t>(e - 1) ? ~0u : 0u;
  std::uint32_t w[block_nodes];
  std::memcpy(w, b.n, sizeof w);
  for (auto& v : w) v = (v >> 16) & keep;
  std::memcpy(b.n, w, sizeof w);
  b.epoch = e;
}

void half_space_trees::next_window() {
  ++window_index_;
  in_window_ = 0;
  if (window_index_ % epoch_sweep == 0)
    for (auto& b : blocks_)
      if (b.epoch != static_cast<std::uint16_t>(window_index_)) roll(b);
}

// Scores and counts every tree's path. The height is a template parameter so that the loops
// over blocks and levels unroll and every shift and offset becomes a constant.
template <std::uint32_t Height, bool Provisional>
float half_space_trees::walk(const std::uint32_t* paths) {
  constexpr std::uint32_t chain = (Height + block_levels) / block_levels;
  const auto e = static_cast<std::uint16_t>(window_index_);
  // In the first window the points counted so far stand in for the reference, with the size
  // limit scaled to how much of the window they are.
  const std::uint16_t limit =
      Provisional ? static_cast<std::uint16_t>(std::max<std::uint64_t>(
                        1, static_cast<std::uint64_t>(size_limit_) * in_window_ / s_.window))
                  : size_limit_;
  // A provisional reference holds in_window of the window's points: a node's mass is scaled up
  // to a whole window (log2), so scores keep one scale across the first window and the later
  // ones. An empty node stays empty.
  const float scale_up =
      Provisional && in_window_ > 0
          ? std::log2(static_cast<float>(s_.window) / static_cast<float>(in_window_))
          : 0.0f;
  // Locals, not members: the compiler then keeps them in registers across the out-of-line roll.
  const std::size_t trees = s_.trees;
  block* const blocks = blocks_.data();
  const std::size_t per_tree = blocks_per_tree_;
  const float* const log2_mass = log2_mass_.data();
  // Block levels hold 1, 16, 256, ... blocks: level b starts at (16^b - 1) / 15.
  constexpr auto level_start = [](std::uint32_t b) {
    return ((1u << (block_levels * b)) - 1) / 15;
  };
  // A prefetch of every block the paths touch first, so that the cache misses of all trees
  // overlap instead of queueing one behind the other.
  for (std::size_t t = 0; t < trees; ++t) {
    const block* tree = blocks + t * per_tree;
#pragma GCC unroll 8
    for (std::uint32_t b = 1; b < chain; ++b)
      __builtin_prefetch(tree + level_start(b) + (paths[t] >> (Height - b * block_levels)), 1);
  }
  float sum = 0;
  block* tree = blocks;
  for (std::size_t t = 0; t < trees; ++t, tree += per_tree) {
    // Left-aligned, so that the decision taken at depth k is bit 31 - k.
    const std::uint32_t aligned = paths[t] << (32 - Height);
    // Reference mass never grows down a path (a child counts a subset of its parent's points),
    // so the nodes heavy enough to descend from are exactly the first `heavy` ones, and the
    // terminal node is at depth min(heavy, height).
    std::uint32_t heavy = 0;
    block* path_blocks[chain];
    std::uint32_t nibs[chain];
#pragma GCC unroll 8
    for (std::uint32_t b = 0; b < chain; ++b) {
      const std::uint32_t top = b * block_levels;  // depth of the block's root
      // Blocks at this level are numbered by the first `top` decisions of the path.
      const std::uint32_t pos = b ? aligned >> (32 - top) : 0;
      block& blk = tree[level_start(b) + pos];
      if (blk.epoch != e) [[unlikely]]
        roll(blk);
      // The next three decisions pick the nodes below the block's root (heap order inside).
      const std::uint32_t nib = (aligned << top) >> 29;
      node* const n[4] = {&blk.n[0], &blk.n[1 + (nib >> 2)], &blk.n[3 + (nib >> 1)],
                          &blk.n[7 + nib]};
      path_blocks[b] = &blk;
      nibs[b] = nib;
#pragma GCC unroll 4
      for (std::uint32_t j = 0; j < block_levels; ++j) {
        if (top + j > Height) break;
        heavy += (Provisional ? n[j]->lat : n[j]->ref) >= limit;
        ++n[j]->lat;
      }
    }
    // The terminal node: the first with too little reference mass, or the leaf. Its score is
    // log2(mass * 2^depth), the paper's r * 2^k on a log scale.
    const std::uint32_t k = std::min(heavy, Height);
    const std::uint32_t j = k % block_levels;
    const std::uint32_t local = (1u << j) - 1 + (nibs[k / block_levels] >> (3 - j));
    // (A provisional reference has just counted this point too.)
    const std::uint16_t ref = Provisional ? path_blocks[k / block_levels]->n[local].lat - 1
                                          : path_blocks[k / block_levels]->n[local].ref;
    sum += ref ? log2_mass[ref] + static_cast<float>(k) + 1.0f + scale_up : 0.0f;
  }
  return sum;
}

// walk<height, provisional> for every height from 1, indexed by (height - 1) * 2 + provisional.
template <std::size_t... I>
constexpr std::array<half_space_trees::walk_fn, sizeof...(I)> half_space_trees::walk_table(
    std::index_sequence<I...>) {
  return {(I % 2 ? &half_space_trees::walk<I / 2 + 1, true>
                 : &half_space_trees::walk<I / 2 + 1, false>)...};
}

double half_space_trees::score_and_update(std::span<const float> x) {
  std::uint8_t q[max_dims] = {};
  for (std::size_t d = 0; d < dims_ && d < x.size(); ++d) q[d] = quantise(x[d]);
  return score_and_update(std::span<const std::uint8_t>(q, dims_));
}

double half_space_trees::score_and_update(std::span<const std::uint8_t> x) {
  std::uint8_t q[max_dims] = {};
  std::copy_n(x.begin(), std::min(x.size(), dims_), q);
  const std::size_t trees = s_.trees;
  // First every path: one lookup per dimension.
  std::uint32_t paths[max_trees + 3];
  // One row per (dimension, value) holds every tree's bits: a fixed eight rows (unused
  // dimensions read a row of zeros), so the loop below unrolls and vectorises.
  const std::uint32_t* rows[max_dims];
  for (std::size_t d = 0; d < max_dims; ++d)
    rows[d] = d < dims_ ? &spread_[(d * 256 + q[d]) * trees] : zero_row_.data();
  // Four trees at a time (the rows are padded so that the last group may read past the last
  // tree); -O2 does not vectorise a loop of unknown trip count by itself.
  using lanes = std::uint32_t __attribute__((vector_size(16)));
  const auto load = [](const std::uint32_t* p) {
    lanes v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  for (std::size_t t = 0; t < trees; t += 4) {
    const lanes v = load(rows[0] + t) | load(rows[1] + t) | load(rows[2] + t) | load(rows[3] + t) |
                    load(rows[4] + t) | load(rows[5] + t) | load(rows[6] + t) | load(rows[7] + t);
    std::memcpy(paths + t, &v, sizeof v);
  }
  static constexpr auto walks = walk_table(std::make_index_sequence<max_height * 2>{});
  const bool provisional = window_index_ < 2;
  const float log_mass_sum = (this->*walks[(s_.height - 1) * 2 + provisional])(paths);
  return finish(log_mass_sum);
}

double half_space_trees::finish(float log_mass_sum) {
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
  // Only nodes with mass in the current or the previous window, as (gap since the previous
  // one, reference, latest), with the counts as they read now.
  const auto e = static_cast<std::uint16_t>(window_index_);
  const auto prev = static_cast<std::uint16_t>(e - 1);
  auto counts = [&](const block& b, const node& n) {
    if (b.epoch == e) return n;
    return node{b.epoch == prev ? n.lat : std::uint16_t{0}, 0};
  };
  std::size_t live = 0;
  for (const auto& b : blocks_)
    for (const auto& n : b.n) {
      const node c = counts(b, n);
      live += (c.ref | c.lat) != 0;
    }
  w.varint(live);
  std::size_t last = 0;
  for (std::size_t i = 0; i < blocks_.size(); ++i)
    for (std::size_t j = 0; j < block_nodes; ++j) {
      const node c = counts(blocks_[i], blocks_[i].n[j]);
      if ((c.ref | c.lat) == 0) continue;
      const std::size_t at = i * block_nodes + j;
      w.varint(at - last);
      w.varint(c.ref);
      w.varint(c.lat);
      last = at;
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
  const std::size_t total = blocks_.size() * block_nodes;
  const std::uint64_t live = r.varint();
  if (!r.plausible_count(live, 3) || live > total) return false;
  const auto e = static_cast<std::uint16_t>(window_index);
  // Every block in the current epoch: the counts are written as they read now.
  block empty{};
  empty.epoch = e;
  std::vector<block> blocks(blocks_.size(), empty);
  std::size_t pos = 0;
  for (std::uint64_t k = 0; k < live; ++k) {
    const std::uint64_t gap = r.varint();
    const std::uint64_t ref = r.varint(), lat = r.varint();
    if (!r.ok() || (k > 0 && gap == 0) || gap >= total - pos || ref > s_.window || lat > s_.window)
      return false;
    pos += gap;
    blocks[pos / block_nodes].n[pos % block_nodes] =
        node{static_cast<std::uint16_t>(ref), static_cast<std::uint16_t>(lat)};
  }
  blocks_ = std::move(blocks);
  window_index_ = window_index;
  in_window_ = static_cast<std::uint32_t>(in_window);
  return true;
}

}  // namespace seerflow::detect
