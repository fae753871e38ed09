#pragma once
// Streaming half-space trees (Tan, Ting & Liu 2011): random axis-aligned trees over a fixed work
// space, mass counted per node in a reference and a latest window that swap every `window`
// points. A point is anomalous when it falls where the reference window put little mass.
//
// Two departures for speed, neither changing what is estimated: each tree splits on one random
// dimension per level rather than per node (as the half-space chains of Manzoor et al. 2018), so
// a point's whole path is the bit-interleaving of its quantised coordinates, computed without
// touching memory; and nodes are stored in blocks of four levels, one 64-byte cache line each,
// so a path of 16 levels touches 4 lines per tree.
#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "runtime/detect/settings.hpp"
#include "runtime/util/byte_codec.hpp"

namespace seerflow::detect {

class half_space_trees {
 public:
  static constexpr std::size_t max_dims = 8;
  static constexpr std::uint32_t max_height = 19;
  static constexpr std::size_t max_trees = 256;

  // Features are expected in [0, 1]; values outside are clamped. Memory: trees x 64 bytes x
  // (16^ceil((height+1)/4) - 1) / 15: 437 KB at the defaults (25 trees, height 11: three blocks
  // per path, and the whole forest stays in a core's L2; height 15 took 7 MB and 4 blocks, for
  // depths that only the heaviest points ever reach).
  half_space_trees(const hst_settings& s, std::size_t dims);

  // Scores x against the reference window, then counts it into the latest window, in one pass
  // down each tree. Returns an anomaly score in [0, 1] (higher = fewer reference points there);
  // 0.0 until provisional_points() points have been seen (see warm()).
  double score_and_update(std::span<const float> x);
  // The same with features already quantised to 8 bits (0 = 0.0, 255 = 1.0). The trees split a
  // dimension at most 8 times, so they cannot resolve finer than that anyway; and the path is
  // then one table lookup per dimension.
  double score_and_update(std::span<const std::uint8_t> q);
  static std::uint8_t quantise(float v);
  // Scores from the first window on, once provisional_points of it are in: until the first window
  // completes, the points counted so far serve as the reference (masses scaled to a window).
  bool warm() const { return window_index_ >= 2 || in_window_ >= provisional_points(); }
  std::uint32_t provisional_points() const { return std::min<std::uint32_t>(16, s_.window); }
  std::size_t dims() const { return dims_; }
  std::size_t memory_bytes() const { return blocks_.size() * sizeof(block); }

  void snapshot(util::byte_writer& w) const;
  // Refuses (returns false, leaves *this unchanged) a snapshot that is damaged or was taken with
  // other settings.
  bool restore(util::byte_reader& r);

 private:
  static constexpr std::uint32_t block_levels = 4;
  static constexpr std::uint32_t block_nodes = 15;
  // Both windows of a node: `ref` counts the reference window, `lat` the latest one.
  struct node {
    std::uint16_t ref, lat;
  };
  // Four levels of one subtree. `epoch` is the latest window the counts belong to; a block last
  // written in an older window is rolled over when first touched (lat becomes ref, or both zero
  // when it is older still). That makes the window swap O(1) instead of rewriting every node.
  struct alignas(64) block {
    node n[block_nodes];
    std::uint16_t epoch;
    std::uint16_t pad;
  };
  static_assert(sizeof(block) == 64);

  void roll(block& b) const;
  void next_window();
  template <std::uint32_t Height, bool Provisional>
  float walk(const std::uint32_t* paths);
  using walk_fn = float (half_space_trees::*)(const std::uint32_t*);
  template <std::size_t... I>
  static constexpr std::array<walk_fn, sizeof...(I)> walk_table(std::index_sequence<I...>);
  double finish(float log_mass_sum);

  hst_settings s_;
  std::size_t dims_;
  std::uint32_t chain_ = 0;  // block levels per tree
  std::uint32_t blocks_per_tree_ = 0;
  std::uint16_t size_limit_;
  std::vector<block> blocks_;  // tree-major; within a tree, block levels in order
  // Per dimension and quantised value, one entry per tree: the value's bits of that tree's path
  // already in place (at the levels that split that dimension). A path is the OR of one entry
  // per dimension, and one event reads 7 rows of 25 adjacent entries.
  std::vector<std::uint32_t> spread_;
  std::vector<std::uint32_t> zero_row_;
  std::vector<float> log2_mass_;  // log2(m) for m in [1, window]; log2_mass_[0] unused
  double score_scale_;
  std::uint64_t window_index_ = 1;  // the latest window's number; the reference is the one before
  std::uint32_t in_window_ = 0;
};

}  // namespace seerflow::detect
