#pragma once
// The literal prefilter. For each rule we derive a set of folded literals of which at least one
// must occur in some field of any event the rule matches; per event one pass over the folded
// field values finds which literals occur, and only rules with a hit (plus the few rules with
// no such set) are evaluated. The multi-literal pass anchors each literal on its rarest 4-byte
// gram and checks a small bitmap per text position before any hash lookup.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/engine/rule.hpp"

namespace seerflow::rules {

// How many rules of a set name each literal (count_literals adds one rule's).
using literal_census = std::map<literal_key, std::uint32_t>;
void count_literals(const detection& det, literal_census& census);

// Prefilter clauses of a detection (see detection_rule::clauses), at most `max_clauses`, the
// most selective kept. With a census of the rule set, a literal many rules share counts as less
// selective than its length alone says.
std::vector<std::vector<literal_key>> prefilter_clauses(const detection& det,
                                                        std::size_t max_clauses = 8,
                                                        const literal_census* census = nullptr);

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
    if (has_single_) {
      for (std::size_t i = 0; i < n; ++i)
        if ((single_bits_[p[i] >> 6] >> (p[i] & 63)) & 1)
          for (auto id : single_[p[i]]) hit(id);
    }
    if (!short_.empty() && n >= 2) {
      // The bitmap pass runs in locals with no call inside, so its loads stay in registers
      // (a hit's callback stores through references the compiler cannot see past).
      const std::uint64_t* bits = short_bits_.data();
      for (std::size_t i = 0;; ++i) {
        std::uint32_t k = 0;
        for (; i + 2 <= n; ++i) {
          k = p[i] | (std::uint32_t{p[i + 1]} << 8);
          if ((bits[k >> 6] >> (k & 63)) & 1) break;
        }
        if (i + 2 > n) break;
        std::uint32_t s = (k * 0x9E3779B1u) & short_mask_;
        while (short_slots_[s].key != k) s = (s + 1) & short_mask_;  // present: the bit said so
        for (std::uint32_t j = short_slots_[s].begin; j < short_slots_[s].end; ++j) {
          const auto& sl = short_lits_[j];
          if (i + sl.len <= n && (sl.len == 2 || p[i + 2] == sl.third)) hit(sl.id);
        }
      }
    }
    if (n < 4 || slots_.empty()) return;
    const std::uint64_t* bloom = bloom_.data();
    const std::uint32_t shift = bloom_shift_;
    for (std::size_t i = 0;; ++i) {
      std::uint32_t g = 0;
      for (; i + 4 <= n; ++i) {
        std::memcpy(&g, p + i, 4);
        const std::uint32_t h = (g * 0x9E3779B1u) >> shift;
        if ((bloom[h >> 6] >> (h & 63)) & 1) break;
      }
      if (i + 4 > n) break;
      for (std::uint32_t s = slot_of(g);; s = (s + 1) & mask_) {
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
  // High bits of the product: the low bits would depend on the gram's first byte only.
  std::uint32_t slot_of(std::uint32_t g) const {
    return static_cast<std::uint32_t>((std::uint64_t{g} * 0x9E3779B97F4A7C15ULL) >> 32) & mask_;
  }
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
  std::vector<std::vector<std::uint32_t>> single_ = std::vector<std::vector<std::uint32_t>>(256);
  bool has_single_ = false;
  std::uint64_t single_bits_[4] = {0, 0, 0, 0};
  std::vector<std::uint64_t> short_bits_ = std::vector<std::uint64_t>(1024, 0);
  // The short literals grouped by their first two bytes, found through a 256-slot table.
  struct short_lit {
    std::uint32_t id;
    std::uint8_t len, third;
  };
  struct short_slot {
    std::uint32_t key = 0xFFFFFFFFu, begin = 0, end = 0;
  };
  std::vector<short_lit> short_lits_;
  std::vector<short_slot> short_slots_;
  std::uint32_t short_mask_ = 0;
  std::vector<anchor> anchors_;
  std::vector<slot> slots_;
  std::uint32_t mask_ = 0;
  // Sized to the anchor grams (~3% fill, at most 32 KiB): a field's small index keeps its
  // filter in L1 beside the large ones.
  std::uint32_t bloom_shift_ = 32 - 9;
  std::vector<std::uint64_t> bloom_ = std::vector<std::uint64_t>(8, 0);
};

// Literals anchored to one field: the whole value, its start or its end. The whole value is one
// hash probe. Starts and ends shorter than 8 bytes are checked by hashing the value's prefixes
// (suffixes) at the few such lengths that occur; longer ones are grouped by their first (last)
// 8 bytes, so one probe finds the few worth comparing whatever their lengths.
class anchored_index {
 public:
  // `keys` must not be contains keys; ids are the caller's.
  void build(const std::vector<std::pair<literal_key, std::uint32_t>>& keys);
  bool has_field(std::uint32_t field) const { return field < fields_.size() && fields_[field].any; }

  template <class F>
  void check(std::uint32_t field, std::string_view v, F&& hit) const {
    const auto& fi = fields_[field];
    const auto* p = reinterpret_cast<const unsigned char*>(v.data());
    const std::size_t n = v.size();
    if (fi.exact)
      probe(key_hash(whole(p, n), literal_key::anchor::exact, field, n), field,
            literal_key::anchor::exact, v, hit);
    if (!fi.prefix_lens.empty()) {
      std::uint64_t h = fnv_basis;
      std::size_t done = 0;
      for (auto len : fi.prefix_lens) {
        if (len > n) break;
        for (; done < len; ++done) h = (h ^ p[done]) * fnv_prime;
        probe(key_hash(h, literal_key::anchor::prefix, field, len), field,
              literal_key::anchor::prefix, v.substr(0, len), hit);
      }
    }
    if (!fi.suffix_lens.empty()) {
      std::uint64_t h = fnv_basis;
      std::size_t done = 0;
      for (auto len : fi.suffix_lens) {
        if (len > n) break;
        for (; done < len; ++done) h = (h ^ p[n - 1 - done]) * fnv_prime;
        probe(key_hash(h, literal_key::anchor::suffix, field, len), field,
              literal_key::anchor::suffix, v.substr(n - len), hit);
      }
    }
    if (n < long_len) return;
    if (fi.long_prefix) {
      std::uint64_t key;
      std::memcpy(&key, p, long_len);
      probe_long(key, field, literal_key::anchor::prefix, [&](const long_literal& l) {
        if (l.text.size() <= n &&
            std::memcmp(p + long_len, l.text.data() + long_len, l.text.size() - long_len) == 0)
          hit(l.id);
      });
    }
    if (fi.long_suffix) {
      std::uint64_t key;
      std::memcpy(&key, p + n - long_len, long_len);
      probe_long(key, field, literal_key::anchor::suffix, [&](const long_literal& l) {
        if (l.text.size() <= n &&
            std::memcmp(p + n - l.text.size(), l.text.data(), l.text.size() - long_len) == 0)
          hit(l.id);
      });
    }
  }

 private:
  static constexpr std::size_t long_len = 8;
  static constexpr std::uint64_t fnv_basis = 0xcbf29ce484222325ULL;
  static constexpr std::uint64_t fnv_prime = 0x100000001b3ULL;
  static std::uint64_t fwd(const unsigned char* p, std::size_t n) {
    std::uint64_t h = fnv_basis;
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * fnv_prime;
    return h;
  }
  // Whole values are hashed a word at a time (no incremental use, unlike prefixes).
  static std::uint64_t whole(const unsigned char* p, std::size_t n) {
    std::uint64_t h = fnv_basis;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
      h ^= h >> 32;
    }
    std::uint64_t w = 0;
    for (; i < n; ++i) w = (w << 8) | p[i];
    h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 32);
  }
  static std::uint64_t key_hash(std::uint64_t h, literal_key::anchor a, std::uint32_t field,
                                std::size_t len) {
    h ^= (std::uint64_t(a) << 56) ^ (std::uint64_t(field) << 24) ^ len;
    h ^= h >> 31;
    h *= 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
  }
  // The group key of a long literal: its anchored 8 bytes, mixed with field and anchor (a
  // length of 0 keeps it apart from the short keys).
  static std::uint64_t group_hash(std::uint64_t key8, literal_key::anchor a, std::uint32_t field) {
    return key_hash(key8 * 0xff51afd7ed558ccdULL, a, field, 0);
  }
  bool filtered(std::uint64_t h) const {
    // Most probes miss: a bitmap small enough for L1 answers them without touching the table.
    const std::uint64_t f = h >> (64 - filter_bits);
    return !((filter_[f >> 6] >> (f & 63)) & 1);
  }
  template <class F>
  void probe(std::uint64_t h, std::uint32_t field, literal_key::anchor a, std::string_view text,
             F&& hit) const {
    if (filtered(h)) return;
    for (std::size_t s = h & mask_;; s = (s + 1) & mask_) {
      const entry& e = table_[s];
      if (e.id == empty) return;
      if (e.hash == h && e.field == field && e.where == a && e.text == text) hit(e.id);
    }
  }
  struct long_literal {
    std::uint32_t id;
    std::string text;
  };
  template <class F>
  void probe_long(std::uint64_t key8, std::uint32_t field, literal_key::anchor a, F&& each) const {
    const std::uint64_t h = group_hash(key8, a, field);
    if (filtered(h)) return;
    for (std::size_t s = h & group_mask_;; s = (s + 1) & group_mask_) {
      const group& g = groups_[s];
      if (g.end == 0) return;
      if (g.key8 == key8 && g.field == field && g.where == a) {
        for (std::uint32_t i = g.begin; i < g.end; ++i) each(long_[i]);
        return;
      }
    }
  }

  static constexpr std::uint32_t empty = 0xFFFFFFFFu;
  struct entry {
    std::uint64_t hash = 0;
    std::uint32_t id = empty;
    std::uint32_t field = 0;
    literal_key::anchor where = literal_key::anchor::exact;
    std::string text;
  };
  struct group {
    std::uint64_t key8 = 0;
    std::uint32_t field = 0, begin = 0, end = 0;  // end == 0: empty slot
    literal_key::anchor where = literal_key::anchor::prefix;
  };
  struct field_info {
    bool any = false, exact = false, long_prefix = false, long_suffix = false;
    std::vector<std::uint32_t> prefix_lens, suffix_lens;  // below long_len; ascending, distinct
  };
  static constexpr int filter_bits = 18;
  std::vector<std::uint64_t> filter_ = std::vector<std::uint64_t>((1u << filter_bits) / 64, 0);
  std::vector<field_info> fields_;
  std::vector<entry> table_;
  std::size_t mask_ = 0;
  std::vector<group> groups_;
  std::vector<long_literal> long_;  // grouped: each group's literals are contiguous
  std::size_t group_mask_ = 0;
};

}  // namespace seerflow::rules
