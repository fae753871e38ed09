#pragma once
// Per-entity kill chain: the distinct ATT&CK tactics an entity's findings carried inside an
// event-time window, each with its latest evidence. When the set in the window reaches the
// minimum (3 by default) and holds a tactic no earlier report held, it is reported once; later
// findings of tactics already reported raise nothing until the set grows again. The evidence
// must come from two rules at least: one rule's tags alone are one step, not a chain.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/model/finding.hpp"
#include "runtime/util/byte_codec.hpp"

namespace seerflow::correlate {

struct tactic_evidence {
  std::string alert_id;
  std::string rule;
  std::string title;
  std::int64_t time_ns = 0;

  friend bool operator==(const tactic_evidence&, const tactic_evidence&) = default;
};

struct tactic_stage {
  std::string tactic;
  std::vector<tactic_evidence> evidence;  // oldest first, at most max_evidence (the newest ones)
};

struct kill_chain_report {
  std::vector<tactic_stage> stages;  // in kill-chain order (runtime/correlate/tactic_order.hpp)
  std::int64_t time_ns = 0;          // event time of the finding that completed the set
};

class kill_chain {
 public:
  kill_chain(std::size_t min_tactics, std::size_t max_evidence);

  // Records the finding's tactics. `horizon_ns` is the oldest event time still in the window:
  // evidence older than it is dropped, and a finding older than it adds nothing (returns false
  // through `in_window`). Returns the report to raise, if any.
  std::optional<kill_chain_report> observe(const model::finding& f, std::int64_t horizon_ns,
                                           bool* in_window = nullptr);

  // The tactics in the window as of `horizon_ns`, in kill-chain order.
  std::vector<tactic_stage> stages(std::int64_t horizon_ns) const;
  // The tactic set of the last report that is still in the window, sorted by name.
  const std::vector<std::string>& reported() const { return reported_; }

  void write(util::byte_writer& w) const;
  bool read(util::byte_reader& r);

  // More distinct tactics than ATT&CK has are not kept (findings from hostile rule files).
  static constexpr std::size_t max_tactics = 32;

 private:
  void expire(std::int64_t horizon_ns);

  std::size_t min_tactics_;
  std::size_t max_evidence_;
  std::map<std::string, std::vector<tactic_evidence>> by_tactic_;
  std::vector<std::string> reported_;
};

}  // namespace seerflow::correlate
