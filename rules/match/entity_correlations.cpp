#include "rules/match/entity_correlations.hpp"

#include "rules/match/correlation_alert.hpp"

namespace seerflow::rules {
namespace {

// Idle groups are dropped at most this often (in event time), as in the source's matcher.
constexpr std::int64_t expire_every_ns = 60'000'000'000;

}  // namespace

void entity_correlations::install(const std::shared_ptr<const rule_set>& rules) {
  if (rules == rules_) return;
  auto next = std::make_unique<correlation_engine>(*rules);
  if (engine_) next->adopt(std::move(*engine_));
  engine_ = std::move(next);
  rules_ = rules;  // the old set stays alive until adopt() is done with it
  if (!pending_.empty()) {
    engine_->restore(pending_);
    pending_.clear();
  }
}

bool entity_correlations::observe(const std::shared_ptr<const rule_set>& rules,
                                  const std::string& source,
                                  const model::correlation_observation& o,
                                  std::vector<model::alert>& out) {
  if (!rules) return false;
  install(rules);
  const auto ci = rules->correlation_index(o.correlation);
  if (!ci || correlation_signature(rules->correlations()[*ci]) != o.signature) return false;
  fired_.clear();
  engine_->observe_group(*ci, o.rule_pos, o.group_values, o.has_value ? &o.value : nullptr,
                         o.time_ns, fired_);
  for (const auto& r : fired_)
    out.push_back(correlation_alert(rules->correlations()[r.correlation], r, source, o.time_ns,
                                    o.seq, o.entities));
  if (o.time_ns - last_expire_ns_ > expire_every_ns) {
    engine_->expire(o.time_ns);
    last_expire_ns_ = o.time_ns;
  }
  return true;
}

std::string entity_correlations::snapshot() const {
  if (!engine_) return pending_;
  return engine_->empty() ? std::string() : engine_->snapshot();
}

bool entity_correlations::restore(const std::shared_ptr<const rule_set>& rules,
                                  std::string_view bytes) {
  if (bytes.empty()) return true;
  if (!rules) {
    pending_.assign(bytes);
    return true;
  }
  install(rules);
  return engine_->restore(bytes);
}

std::vector<std::tuple<std::string, std::string, std::size_t>> entity_correlations::describe(
    std::size_t max) const {
  if (!engine_) return {};
  return engine_->describe(max);
}

}  // namespace seerflow::rules
