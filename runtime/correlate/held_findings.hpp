#pragma once
// The findings an entity actor holds back until the correlation verdicts they wait for are in.
//
// With `sigma.correlation_windows: entity` a correlation grouped by an address lives in that
// address's actor, and when it fires, its finding about the event's other entities (the user,
// the host) travels to their actors through the directory. Those actors have by then received
// their own delivery of the same batch, whose findings may come from later events: applied on
// arrival, a user's risk would count a Sigma hit of 10:14 before the brute force of 09:12.
//
// So the source names, on each delivery, the entities whose verdict on this batch the delivery's
// findings must wait for (`entity_delivery::awaiting`), and every such entity sends one verdict
// per batch, empty when nothing fired. Here a delivery's findings form a block; a verdict's
// findings are merged into its batch's block in the order the source itself would have raised
// them (see merge_verdict); blocks are applied in arrival order once nothing they wait for is
// missing. A verdict that is lost (its node died) cannot hold findings forever: past
// `max_blocks` held blocks the oldest is applied without it, and a verdict that comes after its
// block was applied is applied on arrival, as a late one.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "runtime/model/finding.hpp"

namespace seerflow::correlate {

class held_findings {
 public:
  explicit held_findings(std::size_t max_blocks = 64) : max_blocks_(max_blocks) {}

  bool empty() const { return blocks_.empty(); }
  std::size_t blocks() const { return blocks_.size(); }
  // Blocks applied without every verdict they waited for.
  std::uint64_t overdue() const { return overdue_; }

  // An entity's own delivery of `batch` from `source`: its findings (in the order the source
  // raised them), the findings of correlations this entity itself evaluated for the batch, and
  // the keys of the entities whose verdicts it waits for.
  void add_own(const std::string& source, std::uint64_t batch,
               const std::vector<std::uint64_t>& awaiting, std::vector<model::finding> findings,
               const std::vector<model::finding>& own_verdict);

  // The verdict of entity `from` on (`source`, `batch`). Returns false when no held block waits
  // for it (it came late, or was never announced): the caller applies `findings` itself.
  bool add_verdict(const std::string& source, std::uint64_t batch, std::uint64_t from,
                   const std::vector<model::finding>& findings);

  // Hands every block whose turn has come, oldest first, to apply(source, findings).
  template <class F>
  void release(F&& apply) {
    while (!blocks_.empty() && (blocks_.front().awaiting.empty() || blocks_.size() > max_blocks_)) {
      if (!blocks_.front().awaiting.empty()) ++overdue_;
      auto b = std::move(blocks_.front());
      blocks_.pop_front();
      apply(b.source, b.findings);
    }
  }
  // Everything held, now, whatever it waits for (the actor is about to stop).
  template <class F>
  void release_all(F&& apply) {
    while (!blocks_.empty()) {
      if (!blocks_.front().awaiting.empty()) ++overdue_;
      auto b = std::move(blocks_.front());
      blocks_.pop_front();
      apply(b.source, b.findings);
    }
  }

  // Inserts correlation findings into a block's findings where the source would have raised
  // them: after every finding of an earlier or the same event, before the anomaly findings
  // (the source raises Sigma and correlation alerts for the whole batch, then the anomalies).
  static void merge_verdict(std::vector<model::finding>& block,
                            const std::vector<model::finding>& verdict);

 private:
  struct block {
    std::string source;
    std::uint64_t batch = 0;
    std::vector<std::uint64_t> awaiting;
    std::vector<model::finding> findings;
  };
  std::size_t max_blocks_;
  std::deque<block> blocks_;
  std::uint64_t overdue_ = 0;
};

}  // namespace seerflow::correlate
