#include "rules/engine/prefilter.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_map>

namespace seerflow::rules {

namespace {

using lit_set = std::optional<std::vector<std::string>>;

// Fragments that occur in most events of their kind: a set made only of them filters nothing.
bool common_fragment(std::string_view s) {
  static constexpr std::string_view common[] = {
      ".exe",       "\\windows\\", "c:\\windows\\", "\\system32\\", "c:\\",        "/usr/",
      "/bin/",      "/usr/bin/",   "http",          "https://",     "http://",     "/tmp/",
      "\\appdata\\", "\\users\\",  "powershell",    "cmd.exe",      ".dll",        "\\program files",
      "/var/",      "/etc/",       "get",           "post",         "mozilla/5.0", "/sbin/",
  };
  for (auto c : common)
    if (s == c) return true;
  return false;
}

double hit_cost(const std::vector<std::string>& set) {
  double c = 0;
  for (const auto& s : set) c += common_fragment(s) ? 0.5 : std::exp(-0.45 * double(s.size()));
  return c;
}

lit_set best_of(lit_set a, lit_set b) {
  if (!a) return b;
  if (!b) return a;
  return hit_cost(*a) <= hit_cost(*b) ? a : b;
}

lit_set union_of(lit_set a, const lit_set& b) {
  if (!a || !b) return std::nullopt;
  a->insert(a->end(), b->begin(), b->end());
  return a;
}

lit_set of_test(const value_test& t) {
  if (t.k != value_test::kind::pattern) return std::nullopt;
  std::string best;
  for (auto& l : t.pattern.required_literals())
    if (l.size() > best.size() || (l.size() == best.size() && common_fragment(best))) best = l;
  if (best.empty()) return std::nullopt;
  return std::vector<std::string>{best};
}

lit_set of_item(const detection_item& item) {
  if (item.negate || item.groups.empty()) return std::nullopt;
  lit_set acc;
  bool first = true;
  for (const auto& g : item.groups) {
    lit_set gs = std::vector<std::string>{};
    for (const auto& t : g) {
      gs = union_of(std::move(gs), of_test(t));
      if (!gs) break;
    }
    if (gs && gs->empty()) gs = std::nullopt;
    if (item.all) {
      acc = first ? gs : best_of(std::move(acc), std::move(gs));
    } else {
      acc = first ? gs : union_of(std::move(acc), gs);
      if (!acc) return std::nullopt;
    }
    first = false;
  }
  return acc;
}

lit_set of_search(const search_def& s) {
  lit_set acc = std::vector<std::string>{};
  for (const auto& alt : s.alternatives) {
    lit_set a;
    for (const auto& item : alt) a = best_of(std::move(a), of_item(item));
    acc = union_of(std::move(acc), a);
    if (!acc) return std::nullopt;
  }
  if (acc->empty()) return std::nullopt;
  return acc;
}

lit_set of_node(const detection& d, const condition_tree& c, std::uint32_t n) {
  const auto& node = c.nodes[n];
  switch (node.o) {
    case cond_node::op::and_: return best_of(of_node(d, c, node.a), of_node(d, c, node.b));
    case cond_node::op::or_: return union_of(of_node(d, c, node.a), of_node(d, c, node.b));
    case cond_node::op::not_: return std::nullopt;
    case cond_node::op::ident: return of_search(d.searches[node.a]);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<std::string>> required_literals(const detection& det) {
  lit_set acc = std::vector<std::string>{};
  for (const auto& c : det.conditions) {
    if (c.root == no_field) continue;  // never matches: contributes nothing
    acc = union_of(std::move(acc), of_node(det, c, c.root));
    if (!acc) return std::nullopt;
  }
  std::sort(acc->begin(), acc->end());
  acc->erase(std::unique(acc->begin(), acc->end()), acc->end());
  return acc;
}

void literal_index::build(const std::vector<std::string>& literals) {
  lits_ = literals;
  std::unordered_map<std::uint32_t, std::uint32_t> freq;
  auto gram_at = [&](const std::string& s, std::size_t i) {
    std::uint32_t g;
    std::memcpy(&g, s.data() + i, 4);
    return g;
  };
  for (const auto& s : lits_) {
    if (s.size() < 4) continue;
    for (std::size_t i = 0; i + 4 <= s.size(); ++i) ++freq[gram_at(s, i)];
  }
  std::vector<anchor> anchors;
  for (std::uint32_t id = 0; id < lits_.size(); ++id) {
    const auto& s = lits_[id];
    if (s.size() < 4) {
      short_.push_back(id);
      continue;
    }
    std::size_t best = 0;
    std::uint32_t best_f = UINT32_MAX;
    for (std::size_t i = 0; i + 4 <= s.size(); ++i) {
      const auto f = freq[gram_at(s, i)];
      if (f < best_f) {
        best_f = f;
        best = i;
      }
    }
    anchors.push_back({gram_at(s, best), id, static_cast<std::uint32_t>(best)});
  }
  std::sort(anchors.begin(), anchors.end(),
            [](const anchor& a, const anchor& b) { return a.gram < b.gram; });
  anchors_ = std::move(anchors);
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < anchors_.size(); ++i)
    if (i == 0 || anchors_[i].gram != anchors_[i - 1].gram) ++distinct;
  std::size_t cap = 16;
  while (cap < distinct * 2) cap <<= 1;
  slots_.assign(anchors_.empty() ? 0 : cap, slot{});
  mask_ = static_cast<std::uint32_t>(cap - 1);
  for (std::size_t i = 0; i < anchors_.size();) {
    std::size_t j = i;
    while (j < anchors_.size() && anchors_[j].gram == anchors_[i].gram) ++j;
    const std::uint32_t g = anchors_[i].gram;
    std::uint32_t s = (g * 0x85EBCA6Bu) & mask_;
    while (slots_[s].end != 0) s = (s + 1) & mask_;
    slots_[s] = {g, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)};
    const std::uint32_t h = (g * 0x9E3779B1u) >> 16;
    bloom_[h >> 6] |= std::uint64_t{1} << (h & 63);
    i = j;
  }
}

}  // namespace seerflow::rules
