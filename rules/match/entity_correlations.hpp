#pragma once
// The Sigma correlation windows an entity actor owns: the groups whose group-by value is this
// entity (a brute force from one address, failures of one user). Fed with the observations the
// source actors route to the entity (rules/match/sigma_matcher.hpp), evaluated on the rule set
// installed now; a rule reload keeps the windows of unchanged correlations, and the windows
// survive passivation through snapshot()/restore().
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "rules/engine/correlation.hpp"
#include "rules/engine/rule_set.hpp"
#include "runtime/model/alert.hpp"
#include "runtime/model/correlation_observation.hpp"

namespace seerflow::rules {

class entity_correlations {
 public:
  // Feeds one observation (from `source`); appends an alert for every correlation that fires,
  // chained correlations included. Returns false when the observation's correlation is not in
  // `rules` any more, or changed shape (it is then ignored).
  bool observe(const std::shared_ptr<const rule_set>& rules, const std::string& source,
               const model::correlation_observation& o, std::vector<model::alert>& out);

  bool empty() const { return (!engine_ || engine_->empty()) && pending_.empty(); }
  std::size_t groups() const { return engine_ ? engine_->groups() : 0; }
  // Matches dropped for coming later than their window (correlation_state), by this engine.
  std::uint64_t late_matches() const { return engine_ ? engine_->late_matches() : 0; }
  std::string snapshot() const;
  // Before any rule set is installed the bytes are kept and applied when one is.
  bool restore(const std::shared_ptr<const rule_set>& rules, std::string_view bytes);
  // (correlation, group, matches in window), at most `max`.
  std::vector<std::tuple<std::string, std::string, std::size_t>> describe(std::size_t max) const;

 private:
  void install(const std::shared_ptr<const rule_set>& rules);

  std::shared_ptr<const rule_set> rules_;
  std::unique_ptr<correlation_engine> engine_;
  std::string pending_;  // a snapshot waiting for a rule set
  std::int64_t last_expire_ns_ = 0;
  std::vector<correlation_result> fired_;
};

}  // namespace seerflow::rules
