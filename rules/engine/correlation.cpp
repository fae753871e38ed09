#include "rules/engine/correlation.hpp"

#include <algorithm>
#include <cstring>
#include <set>

namespace seerflow::rules {

namespace {

constexpr std::size_t max_window_items = 100000;

bool holds(const correlation_condition& c, double v) {
  for (const auto& [op, n] : c.terms)
    if (!compare(v, op, n)) return false;
  return true;
}

// Earliest chain of matches in `rules` order (times non-decreasing).
bool ordered_sequence(const std::deque<std::pair<std::int64_t, std::uint32_t>>& w,
                      std::uint32_t n_rules, std::int64_t& first) {
  std::size_t i = 0;
  for (std::uint32_t r = 0; r < n_rules; ++r) {
    while (i < w.size() && w[i].second != r) ++i;
    if (i >= w.size()) return false;
    if (r == 0) first = w[i].first;
    ++i;
  }
  return true;
}

template <class T>
void put(std::string& s, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  s.append(b, sizeof(T));
}

template <class T>
bool get(std::string_view& s, T& v) {
  if (s.size() < sizeof(T)) return false;
  std::memcpy(&v, s.data(), sizeof(T));
  s.remove_prefix(sizeof(T));
  return true;
}

}  // namespace

void correlation_state::count_in(const item& x) {
  if (x.rule >= per_rule_.size()) per_rule_.resize(x.rule + 1, 0);
  if (per_rule_[x.rule]++ == 0) ++distinct_rules_;
  if (x.has_value) ++values_[x.value];
}

void correlation_state::count_out(const item& x) {
  if (x.rule < per_rule_.size() && per_rule_[x.rule] > 0 && --per_rule_[x.rule] == 0)
    --distinct_rules_;
  if (x.has_value) {
    auto it = values_.find(x.value);
    if (it != values_.end() && --it->second == 0) values_.erase(it);
  }
}

void correlation_state::reset_counts() {
  per_rule_.clear();
  distinct_rules_ = 0;
  values_.clear();
}

void correlation_state::clear() {
  window_.clear();
  reset_counts();
  behind_min_ = INT64_MAX;
}

void correlation_state::recount_behind() {
  behind_min_ = INT64_MAX;
  for (const auto& x : window_)
    if (x.behind) behind_min_ = std::min(behind_min_, x.t);
}

void correlation_state::expire(const correlation_rule& c, std::int64_t now_ns) {
  const std::int64_t edge = now_ns - c.timespan_ns;
  while (!window_.empty() && window_.front().t <= edge) {
    count_out(window_.front());
    window_.pop_front();
  }
  if (behind_min_ > edge) return;
  // A match that came out of order has left the window from behind the front: one pass takes
  // out every such match (each pass removes at least one, so passes are as rare as they are).
  std::size_t kept = 0;
  for (std::size_t i = 0; i < window_.size(); ++i) {
    if (window_[i].t <= edge) {
      count_out(window_[i]);
      continue;
    }
    if (kept != i) window_[kept] = std::move(window_[i]);
    ++kept;
  }
  window_.resize(kept);
  recount_behind();
}

bool correlation_state::observe(const correlation_rule& c, std::uint32_t rule_pos,
                                std::int64_t t_ns, const std::string* value,
                                correlation_result& out) {
  if (!window_.empty()) {
    const std::int64_t behind = newest_ - t_ns;
    if (behind >= std::max(epoch_jump_ns, 2 * c.timespan_ns)) {
      clear();  // the clock went back: a new run of the log
    } else if (behind >= c.timespan_ns) {
      out.late = true;  // outside every window that holds the newest match
      return false;
    }
  }
  item it{t_ns, rule_pos, value != nullptr, value ? *value : std::string(),
          !window_.empty() && t_ns < newest_};
  count_in(it);
  // Kept in arrival order: with several connections or nodes, matches arrive a little out of
  // event-time order, and keeping a long window sorted would move thousands of items per match.
  // The ones that came behind a newer match are marked, and expire() finds them.
  if (it.behind) behind_min_ = std::min(behind_min_, t_ns);
  newest_ = window_.empty() ? t_ns : std::max(newest_, t_ns);
  window_.push_back(std::move(it));
  const std::int64_t now = newest_;
  expire(c, now);
  // Memory per group stays bounded under a flood: the oldest matches go first, so a count
  // condition above max_window_items can never hold (none of the bundled or SigmaHQ rules
  // asks for more than a few hundred).
  // (behind_min_ may now be below every match left: a lower bound is enough, the next pass in
  // expire() puts it right.)
  while (window_.size() > max_window_items) {
    count_out(window_.front());
    window_.pop_front();
  }
  if (window_.empty()) return false;
  double measured = 0;
  std::int64_t first = window_.front().t;
  bool fire = false;
  switch (c.type) {
    case correlation_type::event_count:
      measured = static_cast<double>(window_.size());
      fire = holds(c.condition, measured);
      break;
    case correlation_type::value_count:
      measured = static_cast<double>(values_.size());
      fire = holds(c.condition, measured);
      break;
    case correlation_type::temporal:
      measured = static_cast<double>(distinct_rules_);
      fire = holds(c.condition, measured);
      break;
    case correlation_type::temporal_ordered: {
      measured = static_cast<double>(distinct_rules_);
      if (holds(c.condition, measured)) {
        // Only when every rule is in the window does the order need a pass over it.
        std::deque<std::pair<std::int64_t, std::uint32_t>> w;
        for (const auto& x : window_) w.emplace_back(x.t, x.rule);
        std::stable_sort(w.begin(), w.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        fire = ordered_sequence(w, static_cast<std::uint32_t>(c.rule_refs.size()), first);
      }
      break;
    }
  }
  if (!fire) return false;
  if (c.type != correlation_type::temporal_ordered)
    for (const auto& x : window_) first = std::min(first, x.t);
  out.first_ns = first;
  out.last_ns = now;
  out.measured = measured;
  clear();
  return true;
}

std::string correlation_state::snapshot() const {
  std::string s;
  put<std::uint32_t>(s, 1);  // format version
  put<std::uint64_t>(s, window_.size());
  for (const auto& x : window_) {
    put<std::int64_t>(s, x.t);
    put<std::uint32_t>(s, x.rule);
    put<std::uint8_t>(s, x.has_value ? 1 : 0);
    put<std::uint32_t>(s, static_cast<std::uint32_t>(x.value.size()));
    s += x.value;
  }
  return s;
}

bool correlation_state::restore(std::string_view b) {
  std::uint32_t version = 0;
  std::uint64_t n = 0;
  if (!get(b, version) || version != 1 || !get(b, n) || n > b.size()) return false;
  std::deque<item> w;
  for (std::uint64_t i = 0; i < n; ++i) {
    item x{};
    std::uint8_t hv = 0;
    std::uint32_t len = 0;
    if (!get(b, x.t) || !get(b, x.rule) || !get(b, hv) || !get(b, len) || len > b.size())
      return false;
    x.has_value = hv != 0;
    x.value.assign(b.substr(0, len));
    b.remove_prefix(len);
    w.push_back(std::move(x));
  }
  if (!b.empty()) return false;
  window_ = std::move(w);
  reset_counts();
  // Which matches came behind a newer one follows from the order they are kept in.
  std::int64_t newest = INT64_MIN;
  for (auto& x : window_) {
    count_in(x);
    x.behind = x.t < newest;
    newest = std::max(newest, x.t);
  }
  newest_ = window_.empty() ? 0 : newest;
  recount_behind();
  return true;
}

correlation_engine::correlation_engine(const rule_set& rules) : rs_(&rules) {}

std::vector<std::string> correlation_engine::group_values(const correlation_rule& c,
                                                          std::uint32_t rule_pos,
                                                          const detection_rule& rule,
                                                          const field_view& ev) {
  std::vector<std::string> out;
  const std::string& ref = c.rule_refs[rule_pos];
  for (const auto& g : c.group_by) {
    std::string field = g;
    if (auto a = c.aliases.find(g); a != c.aliases.end()) {
      auto f = a->second.find(ref);
      if (f == a->second.end() && !rule.info.name.empty()) f = a->second.find(rule.info.name);
      if (f == a->second.end() && !rule.info.id.empty()) f = a->second.find(rule.info.id);
      if (f != a->second.end()) field = f->second;
    }
    std::string v;
    for (const auto& e : ev.entries()) {
      if (ev.name(e) == field) {
        v = std::string(ev.raw(e));
        break;
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

bool correlation_engine::counted_value(const correlation_rule& c, const field_view& ev,
                                       std::string& out) {
  for (const auto& e : ev.entries()) {
    if (ev.name(e) == c.condition.field && e.kind != value_kind::null) {
      out = std::string(ev.raw(e));
      return true;
    }
  }
  return false;
}

void correlation_engine::observe(std::uint32_t rule_index, const field_view& ev, std::int64_t t_ns,
                                 std::vector<correlation_result>& out,
                                 const correlation_router* route) {
  const auto& feeds = rs_->correlations_fed_by_rule(rule_index);
  if (feeds.empty()) return;
  const std::size_t first_new = out.size();
  const auto& cs = rs_->correlations();
  for (const auto& [ci, pos] : feeds) {
    const auto& c = cs[ci];
    auto values = group_values(c, pos, rs_->rules()[rule_index], ev);
    std::string vbuf;
    const bool has_value = c.type == correlation_type::value_count && counted_value(c, ev, vbuf);
    const std::string* value = has_value ? &vbuf : nullptr;
    if (route && (*route)(ci, pos, values, value)) continue;
    feed(ci, pos, std::move(values), value, t_ns, out);
  }
  propagate(first_new, out);
}

void correlation_engine::observe_group(std::uint32_t ci, std::uint32_t rule_pos,
                                       std::vector<std::string> values, const std::string* value,
                                       std::int64_t t_ns, std::vector<correlation_result>& out) {
  if (ci >= rs_->correlations().size()) return;
  const std::size_t first_new = out.size();
  feed(ci, rule_pos, std::move(values), value, t_ns, out);
  propagate(first_new, out);
}

void correlation_engine::feed(std::uint32_t ci, std::uint32_t pos, std::vector<std::string> values,
                              const std::string* value, std::int64_t t_ns,
                              std::vector<correlation_result>& out) {
  const auto& c = rs_->correlations()[ci];
  std::string key;
  for (const auto& v : values) {
    key += v;
    key += '\x1f';
  }
  correlation_result r;
  if (groups_[{ci, std::move(key)}].observe(c, pos, t_ns, value, r)) {
    r.correlation = ci;
    r.info = &c.info;
    r.group_values = std::move(values);
    out.push_back(std::move(r));
  } else if (r.late) {
    ++late_matches_;
  }
}

void correlation_engine::propagate(std::size_t from, std::vector<correlation_result>& out) {
  // Results appended while walking are walked too; references are acyclic (rule_set), so this
  // ends after at most one pass per level of chaining.
  const auto& cs = rs_->correlations();
  for (std::size_t i = from; i < out.size(); ++i) {
    const std::uint32_t src = out[i].correlation;
    for (const auto& [ci, pos] : rs_->correlations_fed_by_correlation(src)) {
      const auto& c = cs[ci];
      const auto& fired = cs[src];
      // The group of the fired correlation, by field name, gives the dependent's group.
      std::vector<std::string> values;
      const std::string& ref = c.rule_refs[pos];
      for (const auto& g : c.group_by) {
        std::string field = g;
        if (auto a = c.aliases.find(g); a != c.aliases.end()) {
          auto f = a->second.find(ref);
          if (f == a->second.end() && !fired.info.name.empty()) f = a->second.find(fired.info.name);
          if (f == a->second.end() && !fired.info.id.empty()) f = a->second.find(fired.info.id);
          if (f != a->second.end()) field = f->second;
        }
        std::string v;
        for (std::size_t k = 0; k < fired.group_by.size() && k < out[i].group_values.size(); ++k)
          if (fired.group_by[k] == field) v = out[i].group_values[k];
        values.push_back(std::move(v));
      }
      // out grows in feed(): the time is copied first.
      const std::int64_t t_ns = out[i].last_ns;
      feed(ci, pos, std::move(values), nullptr, t_ns, out);
    }
  }
}

void correlation_engine::expire(std::int64_t now_ns) {
  const auto& cs = rs_->correlations();
  for (auto it = groups_.begin(); it != groups_.end();) {
    it->second.expire(cs[it->first.first], now_ns);
    it = it->second.empty() ? groups_.erase(it) : std::next(it);
  }
}

std::size_t correlation_engine::adopt(correlation_engine&& old) {
  std::size_t kept = 0;
  const auto& before = old.rs_->correlations();
  for (auto& [k, st] : old.groups_) {
    if (st.empty() || k.first >= before.size()) continue;
    const auto& c = before[k.first];
    const auto ci = rs_->correlation_index(correlation_key(c));
    if (!ci || correlation_signature(rs_->correlations()[*ci]) != correlation_signature(c))
      continue;
    groups_[{*ci, k.second}] = std::move(st);
    ++kept;
  }
  old.groups_.clear();
  return kept;
}

std::string correlation_engine::snapshot() const {
  std::string s;
  put<std::uint32_t>(s, 1);  // format version
  put<std::uint64_t>(s, groups_.size());
  const auto& cs = rs_->correlations();
  auto str = [&s](const std::string& v) {
    put<std::uint32_t>(s, static_cast<std::uint32_t>(v.size()));
    s += v;
  };
  for (const auto& [k, st] : groups_) {
    str(correlation_key(cs[k.first]));
    put<std::uint64_t>(s, correlation_signature(cs[k.first]));
    str(k.second);
    str(st.snapshot());
  }
  return s;
}

bool correlation_engine::restore(std::string_view b) {
  std::uint32_t version = 0;
  std::uint64_t n = 0;
  if (!get(b, version) || version != 1 || !get(b, n) || n > b.size()) return false;
  auto str = [&b](std::string& v) {
    std::uint32_t len = 0;
    if (!get(b, len) || len > b.size()) return false;
    v.assign(b.substr(0, len));
    b.remove_prefix(len);
    return true;
  };
  decltype(groups_) groups;
  const auto& cs = rs_->correlations();
  for (std::uint64_t i = 0; i < n; ++i) {
    std::string key, group, state;
    std::uint64_t sig = 0;
    if (!str(key) || !get(b, sig) || !str(group) || !str(state)) return false;
    correlation_state st;
    if (!st.restore(state)) return false;
    // A correlation gone or changed since the snapshot starts over: skipped, not an error.
    const auto ci = rs_->correlation_index(key);
    if (!ci || correlation_signature(cs[*ci]) != sig) continue;
    groups[{*ci, std::move(group)}] = std::move(st);
  }
  if (!b.empty()) return false;
  groups_ = std::move(groups);
  return true;
}

std::vector<std::tuple<std::string, std::string, std::size_t>> correlation_engine::describe(
    std::size_t max) const {
  std::vector<std::tuple<std::string, std::string, std::size_t>> out;
  const auto& cs = rs_->correlations();
  for (const auto& [k, st] : groups_) {
    if (out.size() >= max) break;
    std::string group = k.second;
    if (!group.empty() && group.back() == '\x1f') group.pop_back();
    for (auto& ch : group)
      if (ch == '\x1f') ch = ',';
    out.emplace_back(correlation_key(cs[k.first]), std::move(group), st.size());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace seerflow::rules
