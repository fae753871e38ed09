#pragma once
// Streaming half-space trees (Tan, Ting & Liu 2011): random axis-aligned trees over a fixed work
// space, mass counted per node in a reference and a latest window that swap every `window`
// points. A point is anomalous when it falls where the reference window put little mass.
#include <cstdint>
#include <span>
#include <vector>

#include "runtime/detect/settings.hpp"
#include "runtime/util/byte_codec.hpp"

namespace seerflow::detect {

class half_space_trees {
 public:
  static constexpr std::size_t max_dims = 8;

  // Features are expected in [0, 1]; values outside are clamped.
  half_space_trees(const hst_settings& s, std::size_t dims);

  // Scores x against the reference window, then counts it into the latest window, in one pass
  // down each tree. Returns an anomaly score in [0, 1] (higher = fewer reference points there);
  // 0.0 until the first window has been completed (see warm()).
  double score_and_update(std::span<const float> x);
  bool warm() const { return window_index_ >= 2; }
  std::size_t dims() const { return dims_; }

  void snapshot(util::byte_writer& w) const;
  // Refuses (returns false, leaves *this unchanged) a snapshot that is damaged or was taken with
  // other settings.
  bool restore(util::byte_reader& r);

 private:
  // Both windows of one node. `lat` counts window `epoch`, `ref` counts window `epoch - 1`; a node
  // last touched before that holds stale counts, which read as zero. This makes the window swap
  // O(1) instead of rewriting every node.
  struct node {
    std::uint16_t ref, lat, epoch;
  };
  std::uint16_t ref_of(const node& n) const;
  std::uint16_t lat_of(const node& n) const;
  void next_window();
  unsigned dim_at(std::size_t tree, std::uint32_t index) const;

  hst_settings s_;
  std::size_t dims_;
  std::uint32_t nodes_per_tree_;
  std::uint16_t size_limit_;
  std::vector<node> nodes_;     // tree-major, heap order (children of i: 2i+1, 2i+2)
  std::vector<float> lo_, hi_;  // per tree, per dimension: the work range
  std::vector<std::uint32_t> tree_seed_;
  std::vector<float> log2_mass_;  // log2(m) for m in [1, window]; log2_mass_[0] unused
  double score_scale_;
  std::uint64_t window_index_ = 1;  // the latest window's number; the reference is the one before
  std::uint32_t in_window_ = 0;
};

}  // namespace seerflow::detect
