#pragma once
// The literal prefilter. For each rule we derive a set of folded literals of which at least one
// must occur in some field of any event the rule matches; per event one pass over the folded
// field values finds which literals occur, and only rules with a hit (plus the few rules with
// no such set) are evaluated. The multi-literal pass anchors each literal on its rarest 4-byte
// gram and checks a small bitmap per text position before any hash lookup.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/engine/rule.hpp"

namespace seerflow::rules {

// Prefilter clauses of a detection (see detection_rule::clauses), at most `max_clauses`, the
// most selective kept.
std::vector<std::vector<std::string>> prefilter_clauses(const detection& det,
                                                        std::size_t max_clauses = 8);

// The longest literal (folded, >= 4 bytes) every match of `re` must contain, or empty.
std::string regex_required_literal(std::string_view re);

class literal_index {
 public:
  void build(const std::vector<std::string>& literals);
  std::size_t size() const { return lits_.size(); }
  std::size_t short_count() const { return short_.size(); }

  // Calls hit(id) for every literal occurring in `text` (an id may be reported more than once).
  template <class F>
  void scan(std::string_view text, F&& hit) const {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    if (!short_.empty() && n >= 2) {
      for (std::size_t i = 0; i + 2 <= n; ++i) {
        const std::uint32_t k = p[i] | (std::uint32_t{p[i + 1]} << 8);
        if (!((short_bits_[k >> 6] >> (k & 63)) & 1)) continue;
        auto it = std::lower_bound(short_.begin(), short_.end(), std::make_pair(k, 0u));
        for (; it != short_.end() && it->first == k; ++it) {
          const std::string& lit = lits_[it->second];
          if (i + lit.size() <= n && std::memcmp(p + i, lit.data(), lit.size()) == 0)
            hit(it->second);
        }
      }
    }
    if (n < 4 || slots_.empty()) return;
    for (std::size_t i = 0; i + 4 <= n; ++i) {
      std::uint32_t g;
      std::memcpy(&g, p + i, 4);
      const std::uint32_t h = (g * 0x9E3779B1u) >> 16;
      if (!((bloom_[h >> 6] >> (h & 63)) & 1)) continue;
      for (std::uint32_t s = (g * 0x85EBCA6Bu) & mask_;; s = (s + 1) & mask_) {
        const slot& sl = slots_[s];
        if (sl.end == 0) break;
        if (sl.gram != g) continue;
        for (std::uint32_t k = sl.begin; k < sl.end; ++k) {
          const anchor& a = anchors_[k];
          if (i < a.off) continue;
          const std::size_t start = i - a.off;
          if (start + a.len > n) continue;
          std::uint64_t head = 0;
          std::memcpy(&head, p + start, a.len < 8 ? a.len : 8);
          if (head != a.head) continue;
          if (a.len <= 8 || std::memcmp(p + start + 8, lits_[a.lit].data() + 8, a.len - 8) == 0)
            hit(a.lit);
        }
        break;
      }
    }
  }

 private:
  struct anchor {
    std::uint32_t gram, lit, off, len;
    std::uint64_t head;  // first min(len, 8) bytes, zero-padded
  };
  struct slot {
    std::uint32_t gram = 0, begin = 0, end = 0;  // end == 0: empty
  };
  std::vector<std::string> lits_;
  // Literals of 2-3 bytes, keyed by their first two bytes: (key, literal id), sorted.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> short_;
  std::vector<std::uint64_t> short_bits_ = std::vector<std::uint64_t>(1024, 0);
  std::vector<anchor> anchors_;
  std::vector<slot> slots_;
  std::uint32_t mask_ = 0;
  std::vector<std::uint64_t> bloom_ = std::vector<std::uint64_t>(1024, 0);
};

}  // namespace seerflow::rules
