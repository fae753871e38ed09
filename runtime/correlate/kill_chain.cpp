#include "runtime/correlate/kill_chain.hpp"

#include <algorithm>

#include "runtime/correlate/tactic_order.hpp"

namespace seerflow::correlate {

kill_chain::kill_chain(std::size_t min_tactics, std::size_t max_evidence)
    : min_tactics_(min_tactics ? min_tactics : 1), max_evidence_(max_evidence ? max_evidence : 1) {}

void kill_chain::expire(std::int64_t horizon_ns) {
  bool dropped = false;
  for (auto it = by_tactic_.begin(); it != by_tactic_.end();) {
    auto& ev = it->second;
    // Evidence is sorted by time: what left the window is a prefix, usually empty.
    if (ev.front().time_ns >= horizon_ns) {
      ++it;
      continue;
    }
    dropped = true;
    ev.erase(ev.begin(), std::lower_bound(ev.begin(), ev.end(), horizon_ns,
                                          [](const tactic_evidence& e, std::int64_t h) {
                                            return e.time_ns < h;
                                          }));
    it = ev.empty() ? by_tactic_.erase(it) : std::next(it);
  }
  // A reported tactic that left the window is forgotten: its return is growth again.
  if (dropped)
    std::erase_if(reported_, [&](const std::string& t) { return !by_tactic_.contains(t); });
}

std::optional<kill_chain_report> kill_chain::observe(const model::finding& f,
                                                     std::int64_t horizon_ns, bool* in_window) {
  expire(horizon_ns);
  const bool inside = f.time_ns >= horizon_ns;
  if (in_window) *in_window = inside;
  if (!inside || f.tactics.empty()) return std::nullopt;
  for (const auto& t : f.tactics) {
    if (t.empty()) continue;
    auto it = by_tactic_.find(t);
    if (it == by_tactic_.end()) {
      if (by_tactic_.size() >= max_tactics) continue;
      it = by_tactic_.emplace(t, std::vector<tactic_evidence>{}).first;
    }
    auto& ev = it->second;
    tactic_evidence e{f.alert_id, f.rule, f.title, f.time_ns};
    if (std::find(ev.begin(), ev.end(), e) != ev.end()) continue;
    // Sorted by time, stable for equal times (arrival order); the oldest go first when full.
    const auto pos =
        std::upper_bound(ev.begin(), ev.end(), e.time_ns,
                         [](std::int64_t t, const tactic_evidence& x) { return t < x.time_ns; });
    ev.insert(pos, std::move(e));
    if (ev.size() > max_evidence_) ev.erase(ev.begin());
  }
  if (by_tactic_.size() < min_tactics_) return std::nullopt;
  bool grew = false;
  for (const auto& [t, ev] : by_tactic_)
    if (!std::binary_search(reported_.begin(), reported_.end(), t)) grew = true;
  if (!grew) return std::nullopt;
  // One rule tagged with several tactics describes one step in several ATT&CK columns, not a
  // progression: a chain needs evidence from at least two rules.
  const std::string* first_rule = nullptr;
  bool two_rules = false;
  for (const auto& [t, ev] : by_tactic_)
    for (const auto& e : ev) {
      if (!first_rule)
        first_rule = &e.rule;
      else if (e.rule != *first_rule)
        two_rules = true;
    }
  if (!two_rules) return std::nullopt;
  reported_.clear();
  for (const auto& [t, ev] : by_tactic_) reported_.push_back(t);  // std::map: sorted by name
  kill_chain_report r;
  r.stages = stages(horizon_ns);
  r.time_ns = f.time_ns;
  return r;
}

std::vector<tactic_stage> kill_chain::stages(std::int64_t horizon_ns) const {
  std::vector<tactic_stage> out;
  for (const auto& [t, ev] : by_tactic_) {
    tactic_stage s;
    s.tactic = t;
    for (const auto& e : ev)
      if (e.time_ns >= horizon_ns) s.evidence.push_back(e);
    if (!s.evidence.empty()) out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(), [](const tactic_stage& a, const tactic_stage& b) {
    const auto ra = tactic_rank(a.tactic), rb = tactic_rank(b.tactic);
    return ra != rb ? ra < rb : a.tactic < b.tactic;
  });
  return out;
}

void kill_chain::write(util::byte_writer& w) const {
  w.varint(by_tactic_.size());
  for (const auto& [t, ev] : by_tactic_) {
    w.str(t);
    w.varint(ev.size());
    for (const auto& e : ev) {
      w.str(e.alert_id);
      w.str(e.rule);
      w.str(e.title);
      w.svarint(e.time_ns);
    }
  }
  w.varint(reported_.size());
  for (const auto& t : reported_) w.str(t);
}

bool kill_chain::read(util::byte_reader& r) {
  by_tactic_.clear();
  reported_.clear();
  const auto n = r.varint();
  if (n > max_tactics || !r.plausible_count(n, 2)) return false;
  for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
    auto t = r.str(256);
    const auto m = r.varint();
    if (!r.plausible_count(m, 4)) return false;
    std::vector<tactic_evidence> ev;
    for (std::uint64_t j = 0; j < m && r.ok(); ++j) {
      tactic_evidence e;
      e.alert_id = r.str(1024);
      e.rule = r.str(1024);
      e.title = r.str(4096);
      e.time_ns = r.svarint();
      ev.push_back(std::move(e));
    }
    // The settings may have shrunk since: keep the newest.
    std::stable_sort(ev.begin(), ev.end(), [](const tactic_evidence& a, const tactic_evidence& b) {
      return a.time_ns < b.time_ns;
    });
    if (ev.size() > max_evidence_)
      ev.erase(ev.begin(), ev.begin() + static_cast<std::ptrdiff_t>(ev.size() - max_evidence_));
    if (!ev.empty()) by_tactic_[std::move(t)] = std::move(ev);
  }
  const auto k = r.varint();
  if (k > max_tactics || !r.plausible_count(k, 1)) return false;
  for (std::uint64_t i = 0; i < k && r.ok(); ++i) {
    auto t = r.str(256);
    if (by_tactic_.contains(t)) reported_.push_back(std::move(t));
  }
  std::sort(reported_.begin(), reported_.end());
  reported_.erase(std::unique(reported_.begin(), reported_.end()), reported_.end());
  return r.ok();
}

}  // namespace seerflow::correlate
