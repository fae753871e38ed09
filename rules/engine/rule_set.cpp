#include "rules/engine/rule_set.hpp"

#include <functional>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

namespace seerflow::rules {

rule_set::rule_set(load_options opts) : opts_(std::move(opts)) {}

void rule_set::add_yaml(std::string_view text, std::string_view file) {
  ++files_;
  load_yaml_text(text, file, opts_, fields_, docs_);
}

void rule_set::add_file(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    docs_.rejected.push_back({file.string(), "", "cannot read: " + ec.message()});
    return;
  }
  if (size > opts_.max_file_bytes) {
    ++files_;
    docs_.rejected.push_back(
        {file.string(), "", "file larger than " + std::to_string(opts_.max_file_bytes) + " bytes"});
    return;
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  add_yaml(ss.str(), file.string());
}

void rule_set::add_directory(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const auto ext = it->path().extension();
    if (ext == ".yml" || ext == ".yaml") files.push_back(it->path());
  }
  if (ec) docs_.rejected.push_back({dir.string(), "", "cannot list: " + ec.message()});
  std::sort(files.begin(), files.end());
  for (const auto& f : files) add_file(f);
}

bool rule_set::applies(const logsource& r, const logsource& e) {
  return (r.product.empty() || r.product == e.product) &&
         (r.category.empty() || r.category == e.category) &&
         (r.service.empty() || r.service == e.service);
}

void rule_set::finalize() {
  if (final_) return;
  final_ = true;
  auto& rules = docs_.rules;
  // Meta-filters: AND-ed to each referenced rule whose logsource the filter's contains.
  for (const auto& f : docs_.filters) {
    for (auto& r : rules) {
      bool referenced = f.rule_refs.empty();
      for (const auto& ref : f.rule_refs)
        if ((!r.info.id.empty() && ref == r.info.id) ||
            (!r.info.name.empty() && ref == r.info.name))
          referenced = true;
      if (referenced && applies(f.info.source, r.info.source)) r.filters.push_back(f.det);
    }
  }
  // Correlations: resolve references; a correlation that cannot be resolved is rejected.
  std::unordered_map<std::string, std::uint32_t> by_ref;
  for (std::uint32_t i = 0; i < rules.size(); ++i) {
    if (!rules[i].info.id.empty()) by_ref.emplace(rules[i].info.id, i);
    if (!rules[i].info.name.empty()) by_ref.emplace(rules[i].info.name, i);
  }
  // A reference names a detection rule, else another correlation rule. Correlations are
  // resolved to a fixpoint: one that references a rejected correlation, or sits on a cycle of
  // references, is rejected too.
  auto& cs = docs_.correlations;
  std::unordered_map<std::string, std::uint32_t> corr_by_ref;
  for (std::uint32_t i = 0; i < cs.size(); ++i) {
    if (!cs[i].info.id.empty()) corr_by_ref.emplace(cs[i].info.id, i);
    if (!cs[i].info.name.empty()) corr_by_ref.emplace(cs[i].info.name, i);
  }
  std::vector<std::string> reason(cs.size());
  for (std::uint32_t ci = 0; ci < cs.size(); ++ci) {
    auto& c = cs[ci];
    c.rule_index.clear();
    c.ref_correlation.clear();
    for (const auto& ref : c.rule_refs) {
      if (auto it = by_ref.find(ref); it != by_ref.end()) {
        c.rule_index.push_back(it->second);
        c.ref_correlation.push_back(no_field);
      } else if (auto ct = corr_by_ref.find(ref); ct != corr_by_ref.end() && ct->second != ci) {
        c.rule_index.push_back(no_field);
        c.ref_correlation.push_back(ct->second);
      } else {
        reason[ci] = ct != corr_by_ref.end() ? "correlation references itself"
                                             : "correlation references unknown rule '" + ref + "'";
        break;
      }
    }
  }
  // Cycles: a correlation is acyclic when every correlation it references is (memoised DFS).
  std::vector<std::uint8_t> mark(cs.size(), 0);  // 0 new, 1 on the path, 2 done
  std::function<bool(std::uint32_t)> acyclic = [&](std::uint32_t ci) {
    if (mark[ci] == 2) return reason[ci].empty();
    if (mark[ci] == 1) return false;
    mark[ci] = 1;
    bool ok = reason[ci].empty();
    for (const auto r : cs[ci].ref_correlation)
      if (ok && r != no_field && !acyclic(r)) {
        if (reason[ci].empty())
          reason[ci] = "correlation references '" + cs[r].info.title +
                       "', which is rejected or part of a reference cycle";
        ok = false;
      }
    mark[ci] = 2;
    return ok;
  };
  for (std::uint32_t ci = 0; ci < cs.size(); ++ci) acyclic(ci);
  std::vector<std::uint32_t> new_index(cs.size(), no_field);
  std::vector<correlation_rule> kept;
  for (std::uint32_t ci = 0; ci < cs.size(); ++ci) {
    auto& c = cs[ci];
    if (!reason[ci].empty()) {
      docs_.rejected.push_back(
          {c.info.file, c.info.id.empty() ? c.info.title : c.info.id, std::move(reason[ci])});
      continue;
    }
    if (!c.generate)
      for (auto i : c.rule_index)
        if (i != no_field) rules[i].generate = false;
    new_index[ci] = static_cast<std::uint32_t>(kept.size());
    kept.push_back(std::move(c));
  }
  for (auto& c : kept)
    for (auto& r : c.ref_correlation)
      if (r != no_field) r = new_index[r];
  docs_.correlations = std::move(kept);
  // Who feeds whom, shared by every correlation engine on this set (an entity actor's engine
  // then costs only its groups).
  const auto& fin = docs_.correlations;
  corr_by_rule_.assign(rules.size(), {});
  corr_by_corr_.assign(fin.size(), {});
  for (std::uint32_t ci = 0; ci < fin.size(); ++ci) {
    corr_index_.emplace(correlation_key(fin[ci]), ci);
    for (std::uint32_t pos = 0; pos < fin[ci].rule_index.size(); ++pos) {
      if (fin[ci].rule_index[pos] != no_field)
        corr_by_rule_[fin[ci].rule_index[pos]].emplace_back(ci, pos);
      else if (pos < fin[ci].ref_correlation.size() && fin[ci].ref_correlation[pos] != no_field)
        corr_by_corr_[fin[ci].ref_correlation[pos]].emplace_back(ci, pos);
    }
  }
  literal_census census;
  for (const auto& r : rules) count_literals(r.det, census);
  for (auto& r : rules) r.clauses = prefilter_clauses(r.det, 8, &census);
  std::vector<std::uint32_t> all(rules.size());
  for (std::uint32_t i = 0; i < all.size(); ++i) all[i] = i;
  all_ = make_bucket(std::move(all));
}

std::unique_ptr<rule_bucket> rule_set::make_bucket(std::vector<std::uint32_t> ids) const {
  auto b = std::make_unique<rule_bucket>();
  b->rules = std::move(ids);
  std::map<literal_key, std::uint32_t> lit_ids;
  // Literals shared by many rules (".exe", "execve", "\\windows\\") tend to be common in
  // events too: they make poor primary clauses.
  std::map<literal_key, std::uint32_t> rules_per_literal;
  for (auto idx : b->rules)
    for (const auto& cl : docs_.rules[idx].clauses)
      for (const auto& l : cl) ++rules_per_literal[l];
  auto cost = [&](const std::vector<literal_key>& cl) {
    double c = 0;
    for (const auto& l : cl) {
      const double len = double(l.text.size());
      double base = l.where == literal_key::anchor::contains
                        ? (l.text.size() < 2   ? 3.0
                           : l.text.size() < 4 ? 1.0
                                               : std::exp(-0.45 * len))
                        : 0.25 * std::exp(-0.45 * len);
      c += base + double(rules_per_literal[l]) / 40.0;
    }
    return c;
  };
  auto lit_id = [&](const literal_key& l) {
    auto [it, fresh] = lit_ids.emplace(l, static_cast<std::uint32_t>(lit_ids.size()));
    if (fresh) b->literal_rules.emplace_back();
    return it->second;
  };
  b->secondary.resize(b->rules.size());
  for (std::uint32_t pos = 0; pos < b->rules.size(); ++pos) {
    const auto& r = docs_.rules[b->rules[pos]];
    if (r.clauses.empty()) {
      b->always.push_back(pos);
      continue;
    }
    std::size_t primary = 0;
    for (std::size_t ci = 1; ci < r.clauses.size(); ++ci)
      if (cost(r.clauses[ci]) < cost(r.clauses[primary])) primary = ci;
    for (const auto& l : r.clauses[primary]) {
      auto& refs = b->literal_rules[lit_id(l)];
      if (refs.empty() || refs.back() != pos) refs.push_back(pos);
    }
    for (std::size_t ci = 0; ci < r.clauses.size(); ++ci) {
      if (ci == primary) continue;
      // A short unanchored literal hits most events and slows every scan: leave it out.
      bool has_short = false;
      for (const auto& l : r.clauses[ci])
        has_short = has_short || (l.where == literal_key::anchor::contains && l.text.size() < 4);
      if (has_short) continue;
      std::vector<std::uint32_t> ids;
      for (const auto& l : r.clauses[ci]) ids.push_back(lit_id(l));
      b->secondary[pos].push_back(std::move(ids));
    }
  }
  b->literal_count = lit_ids.size();
  // Contains literals grouped by field; keyword literals (no_field) join every group.
  std::map<std::uint32_t, std::vector<std::pair<std::string, std::uint32_t>>> by_field;
  std::vector<std::pair<std::string, std::uint32_t>> keywords;
  std::vector<std::pair<literal_key, std::uint32_t>> anchored;
  for (const auto& [k, id] : lit_ids) {
    if (k.where != literal_key::anchor::contains) {
      anchored.emplace_back(k, id);
    } else if (k.field == no_field) {
      keywords.emplace_back(k.text, id);
    } else {
      by_field[k.field].emplace_back(k.text, id);
    }
  }
  auto add_scanner = [&](std::vector<std::pair<std::string, std::uint32_t>> lits) {
    lits.insert(lits.end(), keywords.begin(), keywords.end());
    auto& sc = b->scanners.emplace_back();
    std::vector<std::string> texts;
    for (auto& [text, id] : lits) {
      texts.push_back(std::move(text));
      sc.ids.push_back(id);
    }
    sc.literals.build(texts);
    return static_cast<std::uint32_t>(b->scanners.size() - 1);
  };
  for (auto& [field, lits] : by_field) {
    if (b->scanner_of.size() <= field) b->scanner_of.resize(field + 1, no_field);
    b->scanner_of[field] = add_scanner(std::move(lits));
  }
  if (!keywords.empty()) b->keyword_scanner = add_scanner({});
  b->anchored.build(anchored);
  return b;
}

std::string correlation_key(const correlation_rule& c) {
  if (!c.info.id.empty()) return c.info.id;
  if (!c.info.name.empty()) return c.info.name;
  return c.info.title;
}

std::uint64_t correlation_signature(const correlation_rule& c) {
  // FNV-1a over everything that gives a window its meaning; a new level or title keeps it.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char ch : s) h = (h ^ ch) * 0x100000001b3ULL;
    h = (h ^ 0x1f) * 0x100000001b3ULL;
  };
  mix(std::to_string(static_cast<int>(c.type)));
  for (const auto& r : c.rule_refs) mix(r);
  mix("|");
  for (const auto& g : c.group_by) mix(g);
  mix("|");
  for (const auto& [alias, m] : c.aliases)
    for (const auto& [ref, field] : m) mix(alias + '=' + ref + ':' + field);
  mix(std::to_string(c.timespan_ns));
  for (const auto& [op, n] : c.condition.terms)
    mix(std::to_string(static_cast<int>(op)) + ':' + std::to_string(n));
  mix(c.condition.field);
  return h;
}

std::optional<std::uint32_t> rule_set::correlation_index(std::string_view key) const {
  if (auto it = corr_index_.find(std::string(key)); it != corr_index_.end()) return it->second;
  return std::nullopt;
}

const rule_bucket& rule_set::bucket(const logsource& event) const {
  std::lock_guard lock(mu_);
  auto it = buckets_.find(event);
  if (it != buckets_.end()) return *it->second;
  std::vector<std::uint32_t> ids;
  for (std::uint32_t i = 0; i < docs_.rules.size(); ++i)
    if (applies(docs_.rules[i].info.source, event)) ids.push_back(i);
  auto& slot = buckets_[event];
  slot = make_bucket(std::move(ids));
  return *slot;
}

void rule_set::evaluate(const rule_bucket& b, const field_view& ev, match_scratch& s,
                        std::vector<std::uint32_t>& hits) const {
  if (s.lit_stamp.size() < b.literal_count) s.lit_stamp.resize(b.literal_count, 0);
  if (s.rule_stamp.size() < b.rules.size()) s.rule_stamp.resize(b.rules.size(), 0);
  if (++s.gen == 0) {
    std::fill(s.lit_stamp.begin(), s.lit_stamp.end(), 0);
    std::fill(s.rule_stamp.begin(), s.rule_stamp.end(), 0);
    s.gen = 1;
  }
  const std::uint32_t gen = s.gen;
  s.candidates.clear();
  auto on_hit = [&](std::uint32_t lit) {
    if (s.lit_stamp[lit] == gen) return;
    s.lit_stamp[lit] = gen;
    ++s.literal_hits;
    s.rule_refs += b.literal_rules[lit].size();
    for (auto pos : b.literal_rules[lit]) {
      if (s.rule_stamp[pos] == gen) continue;
      s.rule_stamp[pos] = gen;
      s.candidates.push_back(pos);
    }
  };
  for (const auto& e : ev.entries()) {
    const auto v = ev.folded(e);
    if (e.field != no_field && b.anchored.has_field(e.field) && e.kind != value_kind::null)
      b.anchored.check(e.field, v, on_hit);
    // Keyword literals only match string values (keyword_matches skips the others), so a
    // number or boolean in a field no rule names has nothing to be scanned for.
    const std::uint32_t sc = e.field < b.scanner_of.size() && b.scanner_of[e.field] != no_field
                                 ? b.scanner_of[e.field]
                             : e.kind == value_kind::string ? b.keyword_scanner
                                                            : no_field;
    if (sc != no_field) {
      s.scanned_bytes += v.size();
      const auto& ids = b.scanners[sc].ids;
      b.scanners[sc].literals.scan(v, [&](std::uint32_t local) { on_hit(ids[local]); });
    }
  }
  // Secondary clauses only read the stamps the scan left behind.
  std::size_t kept = 0;
  for (auto pos : s.candidates) {
    bool ok = true;
    for (const auto& clause : b.secondary[pos]) {
      bool any = false;
      for (auto lit : clause)
        if (s.lit_stamp[lit] == gen) {
          any = true;
          break;
        }
      if (!any) {
        ok = false;
        break;
      }
    }
    if (ok) s.candidates[kept++] = pos;
  }
  s.candidates.resize(kept);
  s.candidates.insert(s.candidates.end(), b.always.begin(), b.always.end());
  std::sort(s.candidates.begin(), s.candidates.end());
  s.evaluated += s.candidates.size();
  for (auto pos : s.candidates) {
    const auto idx = b.rules[pos];
    if (rule_matches(docs_.rules[idx], ev)) hits.push_back(idx);
  }
}

void rule_set::evaluate(const rule_bucket& b, const field_view& ev, match_scratch& scratch,
                        std::vector<match_result>& out) const {
  std::vector<std::uint32_t>& hits = scratch.hits;
  hits.clear();
  evaluate(b, ev, scratch, hits);
  for (auto idx : hits) {
    const auto& r = docs_.rules[idx];
    out.push_back({idx, &r.info, r.generate});
  }
}

}  // namespace seerflow::rules
