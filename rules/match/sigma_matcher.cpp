#include "rules/match/sigma_matcher.hpp"

#include <array>
#include <nlohmann/json.hpp>

#include "runtime/util/hash.hpp"

namespace seerflow::rules {
namespace {

constexpr std::array<std::string_view, 5> levels{"informational", "low", "medium", "high",
                                                 "critical"};

// Sigma levels as alert severities: informational rules alert as "low".
std::string severity_of(const std::string& level) {
  const int r = level_rank(level);
  if (r <= 1) return "low";
  return std::string(levels[static_cast<std::size_t>(r)]);
}

std::string hex64(std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 15];
  return s;
}

// What every Sigma alert carries about its rule and its triggering event.
model::alert alert_from(const rule_info& info, const char* kind, const model::event& ev) {
  model::alert a;
  a.kind = kind;
  a.rule = info.id.empty() ? info.title : info.id;
  a.title = info.title;
  a.severity = severity_of(info.level);
  a.source = ev.source;
  a.time_ns = ev.time_ns;
  a.event_seqs = {ev.seq};
  a.entities = ev.entities;
  a.tactics = info.tactics;
  a.techniques = info.techniques;
  return a;
}

// Correlations are evaluated at most this often for expiry of idle groups.
constexpr std::int64_t expire_every_ns = 60'000'000'000;

}  // namespace

int level_rank(std::string_view level) {
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (levels[i] == level) return static_cast<int>(i);
  return -1;
}

sigma_matcher::sigma_matcher(std::shared_ptr<const rule_set> rules, matcher_options opts)
    : rules_(std::move(rules)),
      opts_(std::move(opts)),
      min_rank_(level_rank(opts_.min_alert_level)),
      view_(rules_->fields()),
      correlations_(*rules_) {
  if (min_rank_ < 0) min_rank_ = 2;
}

const rule_bucket& sigma_matcher::bucket_for(const model::logsource& ls) {
  key_.clear();
  key_ += ls.product;
  key_ += '\x1f';
  key_ += ls.service;
  key_ += '\x1f';
  key_ += ls.category;
  const auto it = buckets_.find(key_);
  if (it != buckets_.end()) return *it->second;
  logsource l;
  l.product = ls.product;
  l.service = ls.service;
  l.category = ls.category;
  const auto& b = rules_->bucket(l);
  buckets_.emplace(key_, &b);
  return b;
}

void sigma_matcher::match(const model::event& ev, std::vector<model::alert>& out) {
  ++events_;
  hits_.clear();
  fired_.clear();
  const auto& b = bucket_for(ev.ls);
  if (b.rules.empty()) return;
  fields_.fill(ev);
  view_.clear();
  for (const auto& f : fields_.fields()) view_.add(f.name, f.value);
  rules_->evaluate(b, view_, scratch_, hits_);
  if (hits_.empty()) return;
  rule_matches_ += hits_.size();
  const auto& all = rules_->rules();
  for (const auto i : hits_) {
    const auto& r = all[i];
    if (r.generate && level_rank(r.info.level) >= min_rank_) out.push_back(rule_alert(r, ev));
    correlations_.observe(i, view_, ev.time_ns, fired_);
  }
  for (const auto& c : fired_) {
    ++correlations_fired_;
    out.push_back(correlation_alert(c, ev));
  }
  if (ev.time_ns - last_expire_ns_ > expire_every_ns) {
    correlations_.expire(ev.time_ns);
    last_expire_ns_ = ev.time_ns;
  }
}

model::alert sigma_matcher::rule_alert(const detection_rule& r, const model::event& ev) const {
  auto a = alert_from(r.info, "sigma", ev);
  // One alert per rule and event; the alert actor's dedup window folds repeats per entity.
  a.id =
      "sigma-" + hex64(util::fnv1a64(a.rule + '\x1f' + ev.source + '\x1f' + std::to_string(ev.seq) +
                                     '\x1f' + std::to_string(ev.time_ns)));
  a.dedup_key = a.rule + '|' + (ev.entities.empty() ? ev.host : ev.entities.front().value);
  nlohmann::ordered_json d;
  d["level"] = r.info.level;
  d["author"] = r.info.author;
  d["tags"] = r.info.tags;
  d["logsource"] = {
      {"product", ev.ls.product}, {"service", ev.ls.service}, {"category", ev.ls.category}};
  d["message"] = ev.message;
  a.details_json = d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return a;
}

model::alert sigma_matcher::correlation_alert(const correlation_result& c,
                                              const model::event& ev) const {
  const auto& r = rules_->correlations()[c.correlation];
  auto a = alert_from(r.info, "correlation", ev);
  std::string group;
  for (const auto& v : c.group_values) {
    if (!group.empty()) group += ',';
    group += v;
  }
  a.id =
      "corr-" + hex64(util::fnv1a64(a.rule + '\x1f' + group + '\x1f' + std::to_string(c.first_ns) +
                                    '\x1f' + std::to_string(c.last_ns)));
  a.dedup_key = a.rule + '|' + group;
  nlohmann::ordered_json d;
  d["level"] = r.info.level;
  d["author"] = r.info.author;
  d["tags"] = r.info.tags;
  nlohmann::ordered_json groups = nlohmann::ordered_json::object();
  for (std::size_t i = 0; i < r.group_by.size() && i < c.group_values.size(); ++i)
    groups[r.group_by[i]] = c.group_values[i];
  d["group"] = groups;
  d["measured"] = c.measured;
  d["first_time_ns"] = c.first_ns;
  d["last_time_ns"] = c.last_ns;
  a.details_json = d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return a;
}

}  // namespace seerflow::rules
