#pragma once
// Sigma on live events: turns each decoded event into the fields rules read
// (runtime/parse/rule_fields.hpp), evaluates the rules of its logsource, feeds correlation
// rules in event time, and produces alerts. One matcher per source actor (single-threaded);
// the rule set it reads is immutable and shared.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rules/engine/correlation.hpp"
#include "rules/engine/field_view.hpp"
#include "rules/engine/rule_set.hpp"
#include "rules/match/alert_fields.hpp"
#include "runtime/model/alert.hpp"
#include "runtime/model/correlation_observation.hpp"
#include "runtime/model/event.hpp"
#include "runtime/parse/rule_fields.hpp"

namespace seerflow::rules {

struct matcher_options {
  // Detection rules below this level raise no alert of their own (they still feed
  // correlations): a "low" rule such as one failed SSH password is evidence, not a page.
  std::string min_alert_level = "medium";
};

// A correlation match whose group names one of the event's entities (a group-by value equal to
// the entity's value): its window lives in that entity's actor, not here.
struct routed_correlation {
  model::entity_ref entity;
  model::correlation_observation observation;
};

class sigma_matcher {
 public:
  explicit sigma_matcher(std::shared_ptr<const rule_set> rules, matcher_options opts = {});

  // Appends an alert for each rule that matches `ev` (at or above the alert level and not
  // `generate: false`) and for each correlation rule that fires.
  void match(const model::event& ev, std::vector<model::alert>& out);
  // The same, with correlation groups that name one of the event's entities handed to `routed`
  // instead of kept here.
  void match(const model::event& ev, std::vector<model::alert>& out,
             std::vector<routed_correlation>* routed);
  // Takes over the correlation windows of the matcher this one replaces (a rule reload) where
  // the correlation is unchanged; returns how many groups it kept.
  std::size_t adopt(sigma_matcher&& old);
  std::size_t correlation_groups() const { return correlations_.groups(); }
  // Correlation matches dropped for coming later than their group's window.
  std::uint64_t late_correlation_matches() const { return correlations_.late_matches(); }

  // Rules (indices into rules().rules()) matched by the last event, and correlations fired.
  const std::vector<std::uint32_t>& last_hits() const { return hits_; }
  const std::vector<correlation_result>& last_correlations() const { return fired_; }

  const rule_set& rules() const { return *rules_; }
  const std::shared_ptr<const rule_set>& shared_rules() const { return rules_; }
  std::uint64_t events() const { return events_; }
  std::uint64_t rule_matches() const { return rule_matches_; }
  std::uint64_t correlations_fired() const { return correlations_fired_; }

 private:
  const rule_bucket& bucket_for(const model::logsource& ls);
  model::alert rule_alert(const detection_rule& r, const model::event& ev) const;

  std::shared_ptr<const rule_set> rules_;
  matcher_options opts_;
  int min_rank_;
  field_view view_;
  match_scratch scratch_;
  parse::rule_fields fields_;
  correlation_engine correlations_;
  std::vector<std::uint32_t> hits_;
  std::vector<correlation_result> fired_;
  // rule_set::bucket() locks; a source sees few logsources, so they are cached here.
  std::unordered_map<std::string, const rule_bucket*> buckets_;
  std::string key_;
  std::int64_t last_expire_ns_ = 0;
  std::uint64_t events_ = 0, rule_matches_ = 0, correlations_fired_ = 0;
};

}  // namespace seerflow::rules
