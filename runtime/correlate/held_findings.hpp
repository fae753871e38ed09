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
//
// In a cluster a verdict can overtake the delivery it belongs to: the source's node sends the
// peer's delivery straight to the peer's node, while the verdict goes through the group's node
// first. A verdict on a batch newer than the last delivery this entity has seen from the source
// is therefore kept (an early verdict) and joins its block when the delivery comes; one that
// no delivery claims (a newer delivery came without it, or more than `max_blocks` are kept) is
// applied as a late one. "Newer" is per source and node: a source of one name runs on every
// node, each numbering its own batches (model::batch_node_tag).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "runtime/model/deliveries.hpp"
#include "runtime/model/finding.hpp"

namespace seerflow::correlate {

class held_findings {
 public:
  explicit held_findings(std::size_t max_blocks = 64) : max_blocks_(max_blocks) {}

  bool empty() const { return blocks_.empty() && early_.empty(); }
  std::size_t blocks() const { return blocks_.size(); }
  // Verdicts kept because they came before the delivery they belong to.
  std::size_t early() const { return early_.size(); }

  // The entity's own delivery of `batch` from `source` (one with observations, sent by the
  // source) arrived: verdicts on this or an earlier batch of the source are no longer early.
  void saw(const std::string& source, std::uint64_t batch);
  // Blocks applied without every verdict they waited for.
  std::uint64_t overdue() const { return overdue_; }

  // An entity's own delivery of `batch` from `source`: its findings (in the order the source
  // raised them), the findings of correlations this entity itself evaluated for the batch, and
  // the keys of the entities whose verdicts it waits for.
  void add_own(const std::string& source, std::uint64_t batch,
               const std::vector<std::uint64_t>& awaiting, std::vector<model::finding> findings,
               const std::vector<model::finding>& own_verdict);

  // The verdict of entity `from` on (`source`, `batch`). Returns false when no held block waits
  // for it and it is not early (it came late, or was never announced): the caller applies
  // `findings` itself.
  bool add_verdict(const std::string& source, std::uint64_t batch, std::uint64_t from,
                   const std::vector<model::finding>& findings);

  // Hands every block whose turn has come, oldest first, to apply(source, findings).
  template <class F>
  void release(F&& apply) {
    release_unclaimed(apply, false);
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
    release_unclaimed(apply, true);
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
  struct verdict {
    std::string source;
    std::uint64_t batch = 0;
    std::uint64_t from = 0;
    std::vector<model::finding> findings;
  };
  // Whether a verdict on `batch` of `source` can still be claimed by a delivery to come.
  bool claimable(const std::string& source, std::uint64_t batch) const {
    auto it = last_seen_.find({source, model::batch_node_tag(batch)});
    return it == last_seen_.end() || batch > it->second;
  }
  // Early verdicts no delivery will claim (or past the bound, the oldest), applied late.
  template <class F>
  void release_unclaimed(F& apply, bool all) {
    for (auto it = early_.begin(); it != early_.end();) {
      const bool over = early_.size() > max_blocks_ && it == early_.begin();
      if (!all && !over && claimable(it->source, it->batch)) {
        ++it;
        continue;
      }
      auto v = std::move(*it);
      it = early_.erase(it);
      if (!v.findings.empty()) apply(v.source, v.findings);
    }
  }

  std::size_t max_blocks_;
  std::deque<block> blocks_;
  std::deque<verdict> early_;
  // Newest batch seen per (source, node tag); a handful of entries.
  std::map<std::pair<std::string, std::uint64_t>, std::uint64_t> last_seen_;
  std::uint64_t overdue_ = 0;
};

}  // namespace seerflow::correlate
