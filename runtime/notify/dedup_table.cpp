#include "runtime/notify/dedup_table.hpp"

#include <algorithm>

#include "runtime/config/value_syntax.hpp"

namespace seerflow::notify {

dedup_policy dedup_policy::from(const config::alert_settings& s) {
  dedup_policy p;
  p.window_ns = s.dedup_window_ms * 1'000'000;
  for (const auto& o : s.dedup_overrides) {
    const auto eq = o.rfind('=');
    if (eq == std::string::npos) continue;
    std::int64_t ms = 0;
    bool overflow = false;
    if (config::parse_duration_ms(o.substr(eq + 1), ms, overflow) && !overflow)
      p.rule_window_ns[o.substr(0, eq)] = ms * 1'000'000;
  }
  for (const auto& k : s.dedup_keys) {
    const auto eq = k.find('=');
    if (eq == std::string::npos) continue;
    std::vector<dedup_field> fields;
    std::string_view rest = std::string_view(k).substr(eq + 1);
    while (!rest.empty()) {
      const auto plus = rest.find('+');
      const auto f = rest.substr(0, plus);
      if (f == "rule") fields.push_back(dedup_field::rule);
      if (f == "entity") fields.push_back(dedup_field::entity);
      if (f == "source") fields.push_back(dedup_field::source);
      if (f == "severity") fields.push_back(dedup_field::severity);
      if (plus == std::string_view::npos) break;
      rest.remove_prefix(plus + 1);
    }
    p.kind_fields[k.substr(0, eq)] = std::move(fields);
  }
  return p;
}

std::int64_t dedup_policy::window_for(const model::alert& a) const {
  if (auto it = rule_window_ns.find(a.rule); it != rule_window_ns.end()) return it->second;
  return window_ns;
}

std::string dedup_policy::key_of(const model::alert& a) const {
  if (!a.dedup_key.empty()) return a.dedup_key;
  const auto entity = [&] { return a.entities.empty() ? a.source : a.entities.front().value; };
  std::string key = a.kind;
  const auto it = kind_fields.find(a.kind);
  if (it == kind_fields.end()) {
    key += '|';
    key += a.rule;
    key += '|';
    key += entity();
    return key;
  }
  for (const auto f : it->second) {
    key += '|';
    switch (f) {
      case dedup_field::rule:
        key += a.rule;
        break;
      case dedup_field::entity:
        key += entity();
        break;
      case dedup_field::source:
        key += a.source;
        break;
      case dedup_field::severity:
        key += a.severity;
        break;
    }
  }
  return key;
}

void dedup_table::forget_closed() {
  std::erase_if(windows_, [&](const auto& kv) {
    return kv.second.first_ns + kv.second.window_ns < newest_ns_;
  });
}

dedup_table::result dedup_table::observe(const model::alert& a) {
  const std::int64_t span_ns = policy_.window_for(a);
  if (span_ns <= 0) return {};
  newest_ns_ = std::max(newest_ns_, a.time_ns);
  // Windows that closed long ago are forgotten, so the map stays bounded by the keys active in
  // one window; the sweep is amortised over many alerts.
  ++observed_;
  if (windows_.size() > 4096 && observed_ % 1024 == 0) forget_closed();
  auto key = policy_.key_of(a);
  auto it = windows_.find(key);
  if (it != windows_.end() && a.time_ns < it->second.first_ns + it->second.window_ns &&
      a.time_ns > it->second.first_ns - it->second.window_ns) {
    ++it->second.count;
    return {&it->second, true};
  }
  auto& w = windows_[std::move(key)];
  w = window{a.id, a.time_ns, span_ns, 1, 0, false};
  return {&w, false};
}

}  // namespace seerflow::notify
