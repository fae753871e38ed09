#pragma once
// Stateful evaluation of Sigma correlation rules (event_count, value_count, temporal,
// temporal_ordered) over EVENT time. correlation_state is the per-(correlation, group) state:
// small, copyable and serialisable, so an entity actor can own the states of its group keys.
// correlation_engine is the single-owner convenience that routes matches to states by key.
#include <climits>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rules/engine/rule.hpp"
#include "rules/engine/rule_set.hpp"

namespace seerflow::rules {

struct correlation_result {
  std::uint32_t correlation = 0;           // index into rule_set::correlations()
  const rule_info* info = nullptr;         // the correlation's metadata (its level wins)
  std::vector<std::string> group_values;   // in group-by order
  std::int64_t first_ns = 0, last_ns = 0;  // event-time span of the events that fired it
  double measured = 0;                     // count, distinct values or rules seen
  // Set (and nothing fired) when the match was older than the group's window: it can share no
  // timespan with the newest match (see correlation_state).
  bool late = false;
};

// Window semantics: a match at time t is evaluated over the group's matches with timestamps in
// (t - timespan, t]. When the condition holds the state fires once and clears, so a burst gives
// one alert. Conditions are checked on arrival (so `lt`/`lte` fire on the first small count).
// Matches may arrive out of event-time order (several connections, hosts whose clocks differ):
// the window is the matches within a timespan of the newest one, wherever they sit in arrival
// order. A match older than that window is dropped and reported late (a host hours behind the
// others cannot make one window of matches hours apart); one more than epoch_jump behind means
// the clock went back (logs of several days or hosts replayed in turn), and the window starts
// over from it.
class correlation_state {
 public:
  // `rule_pos` is the position of the matched rule in the correlation's `rules` list; `value`
  // is the condition field's value for value_count (nullptr when the event lacks it).
  bool observe(const correlation_rule& c, std::uint32_t rule_pos, std::int64_t t_ns,
               const std::string* value, correlation_result& out);
  // Drops matches that can no longer be inside a window ending at or after `now_ns`.
  void expire(const correlation_rule& c, std::int64_t now_ns);
  bool empty() const { return window_.empty(); }
  std::size_t size() const { return window_.size(); }
  // Behind the newest match by at least this much (or twice the timespan, if longer), a match
  // starts the window over.
  static constexpr std::int64_t epoch_jump_ns = 12LL * 3600 * 1'000'000'000;

  std::string snapshot() const;
  bool restore(std::string_view bytes);  // false (state unchanged) on malformed input

 private:
  struct item {
    std::int64_t t;
    std::uint32_t rule;
    bool has_value;
    std::string value;
    bool behind = false;  // arrived after a newer match: may expire behind the window's front
  };
  void count_in(const item& x);
  void count_out(const item& x);
  void reset_counts();
  void clear();
  void recount_behind();  // behind_min_, exactly, from window_

  std::deque<item> window_;  // in arrival order (nearly event-time order)
  std::int64_t newest_ = 0;  // latest event time in the window
  // At most the earliest time among the `behind` items (a lower bound: exact after each pass):
  // only when it falls out of the window is a pass over the window needed (in-order streams
  // expire from the front, O(1) amortised).
  std::int64_t behind_min_ = INT64_MAX;
  // Kept in step with window_, so that a match costs O(1) amortised, not a pass over a window
  // that a flood (one user, thousands of sudo lines) can make very long.
  std::vector<std::uint32_t> per_rule_;  // matches per rule position
  std::uint32_t distinct_rules_ = 0;
  std::unordered_map<std::string, std::uint32_t> values_;  // value_count: distinct values
};

// Decides where the window of one (correlation, group) lives: returns true when another owner
// (the actor of the entity the group names) takes this match, which is then not kept here.
using correlation_router =
    std::function<bool(std::uint32_t correlation, std::uint32_t rule_pos,
                       std::vector<std::string>& group_values, const std::string* value)>;

class correlation_engine {
 public:
  explicit correlation_engine(const rule_set& rules);

  // Group-by values of an event matched by rule `rule_pos` of correlation `c` (aliases applied;
  // an absent field groups as the empty string). Exposed so a router can shard by key.
  static std::vector<std::string> group_values(const correlation_rule& c, std::uint32_t rule_pos,
                                               const detection_rule& rule, const field_view& ev);
  // The value_count field's value in `ev`, or false when the event lacks it.
  static bool counted_value(const correlation_rule& c, const field_view& ev, std::string& out);

  // Feeds one match of detection rule `rule_index` (index into rule_set::rules()) at event time
  // `t_ns`; appends a result for each correlation that fires. With `route`, groups it claims
  // are left to their owner.
  void observe(std::uint32_t rule_index, const field_view& ev, std::int64_t t_ns,
               std::vector<correlation_result>& out, const correlation_router* route = nullptr);
  // Feeds one match of position `rule_pos` of correlation `ci` for a group computed elsewhere
  // (the entity actor's side of routing); chained correlations follow as in observe().
  void observe_group(std::uint32_t ci, std::uint32_t rule_pos, std::vector<std::string> values,
                     const std::string* value, std::int64_t t_ns,
                     std::vector<correlation_result>& out);
  // Forgets groups whose every match is older than any window ending at `now_ns`.
  void expire(std::int64_t now_ns);
  std::size_t groups() const { return groups_.size(); }
  bool empty() const { return groups_.empty(); }
  // Matches dropped for coming later than their group's window (correlation_state).
  std::uint64_t late_matches() const { return late_matches_; }
  const rule_set& rules() const { return *rs_; }

  // Takes over the open windows of `old` (built on an earlier rule set, still alive) whose
  // correlation exists here with the same signature; returns how many groups it kept. A hot
  // reload of the rules then does not restart a brute force count.
  std::size_t adopt(correlation_engine&& old);
  // Windows by correlation key and signature, so a restore onto a reloaded set keeps exactly
  // the ones adopt() would.
  std::string snapshot() const;
  bool restore(std::string_view bytes);  // false (state unchanged) on malformed input
  // (correlation key, group values joined by ',', matches in window) per group, bounded.
  std::vector<std::tuple<std::string, std::string, std::size_t>> describe(std::size_t max) const;

 private:
  const rule_set* rs_;
  // Feeds a fired correlation to the correlations that reference it (chaining).
  void propagate(std::size_t from, std::vector<correlation_result>& out);
  // The match into its group's state: a firing is appended to out, a late match counted.
  void feed(std::uint32_t ci, std::uint32_t pos, std::vector<std::string> values,
            const std::string* value, std::int64_t t_ns, std::vector<correlation_result>& out);

  // Hashed: a brute force from 20,000 addresses is 20,000 groups, looked up once per match.
  struct group_hash {
    std::size_t operator()(const std::pair<std::uint32_t, std::string>& k) const noexcept {
      return std::hash<std::string>{}(k.second) ^ (std::size_t{k.first} * 0x9E3779B97F4A7C15ULL);
    }
  };
  std::unordered_map<std::pair<std::uint32_t, std::string>, correlation_state, group_hash> groups_;
  std::uint64_t late_matches_ = 0;
};

}  // namespace seerflow::rules
