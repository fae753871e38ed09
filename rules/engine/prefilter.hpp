#pragma once
// The literal prefilter. For each rule we derive a set of folded literals of which at least one
// must occur in some field of any event the rule matches; per event one pass over the folded
// field values finds which literals occur, and only rules with a hit (plus the few rules with
// no such set) are evaluated. The multi-literal pass anchors each literal on its rarest 4-byte
// gram and checks a small bitmap per text position before any hash lookup.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/engine/rule.hpp"

namespace seerflow::rules {

// Necessary literals of a detection (see above); nullopt when the rule can match an event that
// contains none of its literals (negations, numbers, regexes, null tests...).
std::optional<std::vector<std::string>> required_literals(const detection& det);

class literal_index {
 public:
  void build(const std::vector<std::string>& literals);
  std::size_t size() const { return lits_.size(); }

  // Calls hit(id) for every literal occurring in `text` (an id may be reported more than once).
  template <class F>
  void scan(std::string_view text, F&& hit) const {
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    for (auto id : short_)
      if (text.find(lits_[id]) != std::string_view::npos) hit(id);
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
          const std::string& lit = lits_[a.lit];
          if (start + lit.size() <= n && std::memcmp(p + start, lit.data(), lit.size()) == 0)
            hit(a.lit);
        }
        break;
      }
    }
  }

 private:
  struct anchor {
    std::uint32_t gram, lit, off;
  };
  struct slot {
    std::uint32_t gram = 0, begin = 0, end = 0;  // end == 0: empty
  };
  std::vector<std::string> lits_;
  std::vector<std::uint32_t> short_;  // literals shorter than a gram: plain search
  std::vector<anchor> anchors_;
  std::vector<slot> slots_;
  std::uint32_t mask_ = 0;
  std::vector<std::uint64_t> bloom_ = std::vector<std::uint64_t>(1024, 0);
};

}  // namespace seerflow::rules
