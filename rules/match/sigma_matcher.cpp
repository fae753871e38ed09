#include "rules/match/sigma_matcher.hpp"

#include <nlohmann/json.hpp>

#include "rules/match/correlation_alert.hpp"
#include "runtime/util/hash.hpp"

namespace seerflow::rules {
namespace {

// Correlations are evaluated at most this often for expiry of idle groups.
constexpr std::int64_t expire_every_ns = 60'000'000'000;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

}  // namespace

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
  match(ev, out, nullptr);
}

std::size_t sigma_matcher::adopt(sigma_matcher&& old) {
  return correlations_.adopt(std::move(old.correlations_));
}

void sigma_matcher::match(const model::event& ev, std::vector<model::alert>& out,
                          std::vector<routed_correlation>* routed) {
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
  // A group that names one of the event's entities goes to that entity's actor: the first
  // group-by value equal to an entity value (case aside) decides, so the same address from any
  // source lands in the same window.
  correlation_router route = [&](std::uint32_t ci, std::uint32_t pos,
                                 std::vector<std::string>& values, const std::string* value) {
    for (const auto& v : values) {
      if (v.empty()) continue;
      for (const auto& e : ev.entities) {
        if (!iequals(e.value, v)) continue;
        const auto& c = rules_->correlations()[ci];
        routed_correlation rc;
        rc.entity = e;
        auto& o = rc.observation;
        o.correlation = correlation_key(c);
        o.signature = correlation_signature(c);
        o.rule_pos = pos;
        o.time_ns = ev.time_ns;
        o.seq = ev.seq;
        o.has_value = value != nullptr;
        if (value) o.value = *value;
        o.group_values = std::move(values);
        o.entities = ev.entities;
        routed->push_back(std::move(rc));
        return true;
      }
    }
    return false;
  };
  for (const auto i : hits_) {
    const auto& r = all[i];
    if (r.generate && level_rank(r.info.level) >= min_rank_) out.push_back(rule_alert(r, ev));
    correlations_.observe(i, view_, ev.time_ns, fired_, routed ? &route : nullptr);
  }
  for (const auto& c : fired_) {
    ++correlations_fired_;
    out.push_back(correlation_alert(rules_->correlations()[c.correlation], c, ev.source, ev.time_ns,
                                    ev.seq, ev.entities));
  }
  if (ev.time_ns - last_expire_ns_ > expire_every_ns) {
    correlations_.expire(ev.time_ns);
    last_expire_ns_ = ev.time_ns;
  }
}

model::alert sigma_matcher::rule_alert(const detection_rule& r, const model::event& ev) const {
  auto a = alert_from(r.info, "sigma", ev.source, ev.time_ns, ev.seq, ev.entities);
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

}  // namespace seerflow::rules
