#include "rules/engine/prefilter.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>

#include "rules/engine/case_fold.hpp"

namespace seerflow::rules {

namespace {

using clause = std::vector<literal_key>;
using anchor = literal_key::anchor;

bool is_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
using cnf = std::vector<clause>;  // AND of clauses; empty = no constraint

// Fragments that occur in most events of their kind: a clause made of them filters little.
bool common_fragment(std::string_view s) {
  static constexpr std::string_view common[] = {
      ".exe",    "\\windows\\", "c:\\windows\\",   "\\system32\\", "c:\\",
      "/usr/",   "/bin/",       "/usr/bin/",       "http",         "https://",
      "http://", "/tmp/",       "\\appdata\\",     "\\users\\",    "powershell",
      "cmd.exe", ".dll",        "\\program files", "/var/",        "/etc/",
      "get",     "post",        "mozilla/5.0",     "/sbin/",
  };
  for (auto c : common)
    if (s == c) return true;
  return false;
}

// While prefilter_clauses runs with a census: how many rules of the set name each literal. Read
// by key_cost, which every clause comparison below goes through (a thread-local rather than a
// parameter threaded through each of them; set and cleared by prefilter_clauses only).
thread_local const literal_census* census_in_use = nullptr;

// A literal that other rules name too is likely common in events: `type: EXECVE` is in every
// auditd execve rule and in most auditd events, and a clause of it keeps the rule a candidate
// for each of them, where the rule's `a0: zip` would not.
double shared_cost(const literal_key& k) {
  if (!census_in_use) return 0;
  auto it = census_in_use->find(k);
  return it == census_in_use->end() || it->second <= 1 ? 0.0 : double(it->second - 1) / 40.0;
}

double key_cost(const literal_key& k) {
  const double shared = shared_cost(k);
  const double len = double(k.text.size());
  switch (k.where) {
    case anchor::exact:
      return shared + 0.05 * std::exp(-0.3 * len);
    case anchor::prefix:
    case anchor::suffix:
      return shared + 0.25 * std::exp(-0.45 * len);
    case anchor::contains:
      break;
  }
  if (common_fragment(k.text)) return shared + 0.5;
  if (k.text.size() < 2) return shared + 3.0;
  return shared + (k.text.size() < 4 ? 1.0 : std::exp(-0.45 * len));
}

double hit_cost(const clause& set) {
  double c = 0;
  for (const auto& k : set) c += key_cost(k);
  return c;
}

constexpr std::size_t max_work = 16;

// Keeps the most selective clauses.
cnf trim(cnf c) {
  if (c.size() <= max_work) return c;
  std::stable_sort(c.begin(), c.end(),
                   [](const clause& a, const clause& b) { return hit_cost(a) < hit_cost(b); });
  c.resize(max_work);
  return c;
}

cnf and_of(cnf a, const cnf& b) {
  a.insert(a.end(), b.begin(), b.end());
  return trim(std::move(a));
}

cnf or_of(const cnf& a, const cnf& b) {
  if (a.empty() || b.empty()) return {};
  cnf out;
  if (a.size() * b.size() <= max_work) {
    for (const auto& x : a)
      for (const auto& y : b) {
        clause c = x;
        c.insert(c.end(), y.begin(), y.end());
        out.push_back(std::move(c));
      }
    return out;
  }
  // Too many pairs: one clause, the union of each side's most selective clause.
  auto best = [](const cnf& c) {
    return *std::min_element(c.begin(), c.end(), [](const clause& x, const clause& y) {
      return hit_cost(x) < hit_cost(y);
    });
  };
  clause c = best(a);
  const clause& d = best(b);
  c.insert(c.end(), d.begin(), d.end());
  out.push_back(std::move(c));
  return out;
}

bool regex_ignores_case(const re2::RE2& re) {
  if (!re.options().case_sensitive()) return true;
  const std::string& p = re.pattern();
  for (std::size_t i = p.find("(?"); i != std::string::npos; i = p.find("(?", i + 1)) {
    for (std::size_t j = i + 2; j < p.size() && p[j] != ')' && p[j] != ':'; ++j)
      if (p[j] == 'i') return true;
  }
  return false;
}

// The literal one value test needs (text empty when it needs none).
literal_key of_test(const value_test& t, const detection_item& item) {
  const std::uint32_t field = item.keyword ? no_field : item.field;
  if (t.k == value_test::kind::regex) {
    std::string lit = regex_required_literal(t.regex->pattern());
    if (regex_ignores_case(*t.regex)) {
      // RE2 folds more than we do (U+017F matches 's', U+212A matches 'k'): keep the longest
      // piece of the literal without those letters, so the prefilter never misses a match.
      std::string best, piece;
      for (char c : lit + 's') {
        if (c == 's' || c == 'k') {
          if (piece.size() > best.size()) best = piece;
          piece.clear();
        } else {
          piece.push_back(c);
        }
      }
      lit = best;
    }
    return {anchor::contains, field, lit};
  }
  if (t.k != value_test::kind::pattern) return {};
  const auto& p = t.pattern;
  std::vector<literal_key> options;
  using shape = string_pattern::shape;
  if (!item.keyword) {
    if (p.kind() == shape::exact) return {anchor::exact, field, p.required_prefix()};
    if (auto pre = p.required_prefix(); !pre.empty())
      options.push_back({anchor::prefix, field, std::move(pre)});
    if (auto suf = p.required_suffix(); !suf.empty())
      options.push_back({anchor::suffix, field, std::move(suf)});
  }
  std::string best;
  for (auto& l : p.required_literals())
    if (l.size() > best.size() || (l.size() == best.size() && common_fragment(best))) best = l;
  if (best.size() >= 2) options.push_back({anchor::contains, field, std::move(best)});
  if (options.empty()) return {};
  return *std::min_element(
      options.begin(), options.end(),
      [](const literal_key& a, const literal_key& b) { return key_cost(a) < key_cost(b); });
}

// A group (expansions of one value, OR-ed) as one clause; empty when some expansion has none.
clause of_group(const std::vector<value_test>& g, const detection_item& item) {
  clause c;
  for (const auto& t : g) {
    auto l = of_test(t, item);
    if (l.text.empty() && l.where != anchor::exact) return {};
    if (l.where == anchor::exact && t.k != value_test::kind::pattern) return {};
    c.push_back(std::move(l));
  }
  return c;
}

cnf of_item(const detection_item& item) {
  if (item.negate || item.groups.empty()) return {};
  cnf out;
  if (item.all) {
    for (const auto& g : item.groups)
      if (auto c = of_group(g, item); !c.empty()) out.push_back(std::move(c));
    return trim(std::move(out));
  }
  clause u;
  for (const auto& g : item.groups) {
    auto c = of_group(g, item);
    if (c.empty()) return {};
    u.insert(u.end(), c.begin(), c.end());
  }
  out.push_back(std::move(u));
  return out;
}

cnf of_search(const search_def& s) {
  cnf acc;
  bool first = true;
  for (const auto& alt : s.alternatives) {
    cnf a;
    for (const auto& item : alt) a = and_of(std::move(a), of_item(item));
    acc = first ? std::move(a) : or_of(acc, a);
    first = false;
    if (acc.empty()) return {};
  }
  return acc;
}

cnf of_node(const detection& d, const condition_tree& c, std::uint32_t n) {
  const auto& node = c.nodes[n];
  switch (node.o) {
    case cond_node::op::and_:
      return and_of(of_node(d, c, node.a), of_node(d, c, node.b));
    case cond_node::op::or_:
      return or_of(of_node(d, c, node.a), of_node(d, c, node.b));
    case cond_node::op::not_:
      return {};
    case cond_node::op::ident:
      return of_search(d.searches[node.a]);
  }
  return {};
}

}  // namespace

std::string regex_required_literal(std::string_view re) {
  // Runs of literal characters at nesting depth 0, in a pattern without a top-level `|`, are
  // required by every match. A quantifier after a run makes its last character optional.
  std::vector<std::string> runs;
  std::string cur;
  int depth = 0;
  auto end_run = [&] {
    if (!cur.empty()) runs.push_back(cur);
    cur.clear();
  };
  for (std::size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\\') {
      if (i + 1 >= re.size()) return {};
      const char e = re[i + 1];
      ++i;
      if (e == 'Q') return {};  // quoted spans: not worth parsing
      if (is_alnum(e)) {        // \d \w \s \b \x41 \pL \101 ...: not a literal
        end_run();
        if (e == 'x' || e == 'p' || e == 'P') {
          if (i + 1 < re.size() && re[i + 1] == '{') {
            const auto close = re.find('}', i);
            if (close == std::string_view::npos) return {};
            i = close;
          } else {
            i += e == 'x' ? 2 : 1;
          }
        } else if (e >= '0' && e <= '9') {
          while (i + 1 < re.size() && re[i + 1] >= '0' && re[i + 1] <= '9') ++i;
        }
        continue;
      }
      if (depth == 0) cur.push_back(e);
      continue;
    }
    if (c == '[') {  // character class: skip to its end
      end_run();
      std::size_t j = i + 1;
      if (j < re.size() && re[j] == '^') ++j;
      if (j < re.size() && re[j] == ']') ++j;
      while (j < re.size() && re[j] != ']') j += re[j] == '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (c == '(') {
      end_run();
      // Inline flags `(?i)` open no group.
      if (i + 2 < re.size() && re[i + 1] == '?' && re[i + 2] != ':' && re[i + 2] != '<' &&
          re[i + 2] != '=' && re[i + 2] != '!' && re[i + 2] != 'P') {
        const auto close = re.find(')', i);
        const auto colon = re.find(':', i);
        if (close != std::string_view::npos && (colon == std::string_view::npos || close < colon)) {
          i = close;
          continue;
        }
      }
      ++depth;
      continue;
    }
    if (c == ')') {
      end_run();
      if (depth > 0) --depth;
      continue;
    }
    if (c == '|') {
      if (depth == 0) return {};
      continue;
    }
    if (c == '*' || c == '+' || c == '?' || c == '{') {
      // The character before the quantifier is optional or repeated: cut it from the run.
      if (depth == 0 && !cur.empty() && c != '+') {
        // Drop the whole last code point, never half of a UTF-8 sequence.
        while (cur.size() > 1 && (static_cast<unsigned char>(cur.back()) & 0xC0) == 0x80)
          cur.pop_back();
        cur.pop_back();
      }
      end_run();
      if (c == '{') {
        const auto close = re.find('}', i);
        if (close == std::string_view::npos) return {};
        i = close;
      }
      continue;
    }
    if (c == '.' || c == '^' || c == '$') {
      end_run();
      continue;
    }
    if (depth == 0) cur.push_back(c);
  }
  end_run();
  std::string best;
  for (const auto& r : runs)
    if (r.size() > best.size()) best = r;
  return fold_case(best);
}

void count_literals(const detection& det, literal_census& census) {
  std::vector<literal_key> keys;
  for (const auto& s : det.searches)
    for (const auto& alt : s.alternatives)
      for (const auto& item : alt)
        for (const auto& g : item.groups)
          for (const auto& t : g) {
            auto l = of_test(t, item);
            if (!l.text.empty() || l.where == anchor::exact) keys.push_back(std::move(l));
          }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (auto& k : keys) ++census[std::move(k)];
}

std::vector<std::vector<literal_key>> prefilter_clauses(const detection& det,
                                                        std::size_t max_clauses,
                                                        const literal_census* census) {
  struct census_scope {
    explicit census_scope(const literal_census* c) { census_in_use = c; }
    ~census_scope() { census_in_use = nullptr; }
  } scope(census);
  cnf acc;
  bool first = true;
  for (const auto& c : det.conditions) {
    if (c.root == no_field) continue;  // never matches: contributes nothing
    cnf x = of_node(det, c, c.root);
    acc = first ? std::move(x) : or_of(acc, x);
    first = false;
    if (acc.empty()) return {};
  }
  for (auto& cl : acc) {
    std::sort(cl.begin(), cl.end());
    cl.erase(std::unique(cl.begin(), cl.end()), cl.end());
  }
  std::stable_sort(acc.begin(), acc.end(),
                   [](const clause& a, const clause& b) { return hit_cost(a) < hit_cost(b); });
  if (acc.size() > max_clauses) acc.resize(max_clauses);
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
    if (s.size() < 2) {
      if (s.size() == 1) {
        const auto c = static_cast<unsigned char>(s[0]);
        single_[c].push_back(id);
        single_bits_[c >> 6] |= std::uint64_t{1} << (c & 63);
      }
      continue;
    }
    if (s.size() < 4) {
      const std::uint32_t k =
          static_cast<unsigned char>(s[0]) | (std::uint32_t{static_cast<unsigned char>(s[1])} << 8);
      short_.emplace_back(k, id);
      short_bits_[k >> 6] |= std::uint64_t{1} << (k & 63);
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
    std::uint64_t head = 0;
    std::memcpy(&head, s.data(), s.size() < 8 ? s.size() : 8);
    anchors.push_back({gram_at(s, best), id, static_cast<std::uint32_t>(best),
                       static_cast<std::uint32_t>(s.size()), head});
  }
  std::sort(short_.begin(), short_.end());
  std::size_t keys = 0;
  for (std::size_t i = 0; i < short_.size(); ++i)
    if (i == 0 || short_[i].first != short_[i - 1].first) ++keys;
  std::size_t short_cap = 16;
  while (short_cap < keys * 2) short_cap <<= 1;
  short_slots_.assign(short_cap, short_slot{});
  short_mask_ = static_cast<std::uint32_t>(short_cap - 1);
  for (std::size_t i = 0; i < short_.size();) {
    std::size_t j = i;
    while (j < short_.size() && short_[j].first == short_[i].first) ++j;
    const std::uint32_t k = short_[i].first;
    std::uint32_t slot = (k * 0x9E3779B1u) & short_mask_;
    while (short_slots_[slot].key != 0xFFFFFFFFu) slot = (slot + 1) & short_mask_;
    short_slots_[slot].key = k;
    short_slots_[slot].begin = static_cast<std::uint32_t>(short_lits_.size());
    for (std::size_t x = i; x < j; ++x) {
      const std::string& lit = lits_[short_[x].second];
      short_lits_.push_back({short_[x].second, static_cast<std::uint8_t>(lit.size()),
                             static_cast<std::uint8_t>(lit.size() > 2 ? lit[2] : 0)});
    }
    short_slots_[slot].end = static_cast<std::uint32_t>(short_lits_.size());
    i = j;
  }
  for (const auto& v : single_) has_single_ = has_single_ || !v.empty();
  std::sort(anchors.begin(), anchors.end(),
            [](const anchor& a, const anchor& b) { return a.gram < b.gram; });
  anchors_ = std::move(anchors);
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < anchors_.size(); ++i)
    if (i == 0 || anchors_[i].gram != anchors_[i - 1].gram) ++distinct;
  int bloom_bits = 9;
  while (bloom_bits < 18 && (std::size_t{1} << bloom_bits) < distinct * 32) ++bloom_bits;
  bloom_shift_ = static_cast<std::uint32_t>(32 - bloom_bits);
  bloom_.assign((std::size_t{1} << bloom_bits) / 64, 0);
  std::size_t cap = 16;
  while (cap < distinct * 2) cap <<= 1;
  slots_.assign(anchors_.empty() ? 0 : cap, slot{});
  mask_ = static_cast<std::uint32_t>(cap - 1);
  for (std::size_t i = 0; i < anchors_.size();) {
    std::size_t j = i;
    while (j < anchors_.size() && anchors_[j].gram == anchors_[i].gram) ++j;
    const std::uint32_t g = anchors_[i].gram;
    std::uint32_t s = slot_of(g);
    while (slots_[s].end != 0) s = (s + 1) & mask_;
    slots_[s] = {g, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j)};
    const std::uint32_t h = (g * 0x9E3779B1u) >> bloom_shift_;
    bloom_[h >> 6] |= std::uint64_t{1} << (h & 63);
    i = j;
  }
}

void anchored_index::build(const std::vector<std::pair<literal_key, std::uint32_t>>& keys) {
  std::size_t cap = 16;
  while (cap < keys.size() * 2) cap <<= 1;
  table_.assign(cap, entry{});
  mask_ = cap - 1;
  auto set_filter = [&](std::uint64_t h) {
    const std::uint64_t f = h >> (64 - filter_bits);
    filter_[f >> 6] |= std::uint64_t{1} << (f & 63);
  };
  // Long starts and ends, by (field, anchor, anchored 8 bytes).
  std::map<std::tuple<std::uint32_t, literal_key::anchor, std::uint64_t>, std::vector<long_literal>>
      long_groups;
  for (const auto& [k, id] : keys) {
    if (k.field == no_field || k.where == literal_key::anchor::contains) continue;
    if (fields_.size() <= k.field) fields_.resize(k.field + 1);
    auto& fi = fields_[k.field];
    fi.any = true;
    const auto* p = reinterpret_cast<const unsigned char*>(k.text.data());
    const std::size_t n = k.text.size();
    if (k.where != literal_key::anchor::exact && n >= long_len) {
      std::uint64_t key8;
      std::memcpy(&key8, k.where == literal_key::anchor::prefix ? p : p + n - long_len, long_len);
      (k.where == literal_key::anchor::prefix ? fi.long_prefix : fi.long_suffix) = true;
      long_groups[{k.field, k.where, key8}].push_back({id, k.text});
      continue;
    }
    std::uint64_t h = fnv_basis;
    switch (k.where) {
      case literal_key::anchor::exact:
        fi.exact = true;
        h = whole(p, n);
        break;
      case literal_key::anchor::prefix:
        fi.prefix_lens.push_back(static_cast<std::uint32_t>(n));
        h = fwd(p, n);
        break;
      case literal_key::anchor::suffix:
        fi.suffix_lens.push_back(static_cast<std::uint32_t>(n));
        for (std::size_t i = 0; i < n; ++i) h = (h ^ p[n - 1 - i]) * fnv_prime;
        break;
      case literal_key::anchor::contains:
        break;
    }
    const auto kh = key_hash(h, k.where, k.field, n);
    set_filter(kh);
    std::size_t s = kh & mask_;
    while (table_[s].id != empty) s = (s + 1) & mask_;
    table_[s] = entry{kh, id, k.field, k.where, k.text};
  }
  std::size_t gcap = 16;
  while (gcap < long_groups.size() * 2) gcap <<= 1;
  groups_.assign(gcap, group{});
  group_mask_ = gcap - 1;
  for (auto& [key, lits] : long_groups) {
    const auto& [field, where, key8] = key;
    const auto h = group_hash(key8, where, field);
    set_filter(h);
    std::size_t s = h & group_mask_;
    while (groups_[s].end != 0) s = (s + 1) & group_mask_;
    groups_[s] = {key8, field, static_cast<std::uint32_t>(long_.size()), 0, where};
    for (auto& l : lits) long_.push_back(std::move(l));
    groups_[s].end = static_cast<std::uint32_t>(long_.size());
  }
  for (auto& fi : fields_) {
    for (auto* v : {&fi.prefix_lens, &fi.suffix_lens}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
  }
}

}  // namespace seerflow::rules
