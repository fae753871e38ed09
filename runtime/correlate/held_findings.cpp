#include "runtime/correlate/held_findings.hpp"

#include <algorithm>

namespace seerflow::correlate {

namespace {

// The event a finding was raised at: an alert names its contributing events, the last of them
// the one that raised it (a correlation fires on its last match).
std::uint64_t raised_at(const model::finding& f) {
  std::uint64_t seq = 0;
  for (auto s : f.event_seqs) seq = std::max(seq, s);
  return seq;
}

// Anomaly findings come after the batch's Sigma and correlation findings (see merge_verdict).
bool raised_late(const model::finding& f) {
  return f.kind == "anomaly";
}

}  // namespace

void held_findings::merge_verdict(std::vector<model::finding>& block,
                                  const std::vector<model::finding>& verdict) {
  for (const auto& v : verdict) {
    const auto at = raised_at(v);
    // After the last finding that comes first; the block stays in order, so the first finding
    // that belongs after `v` is the place.
    auto pos = std::find_if(block.begin(), block.end(), [&](const model::finding& f) {
      return raised_late(f) || raised_at(f) > at;
    });
    block.insert(pos, v);
  }
}

void held_findings::add_own(const std::string& source, std::uint64_t batch,
                            const std::vector<std::uint64_t>& awaiting,
                            std::vector<model::finding> findings,
                            const std::vector<model::finding>& own_verdict) {
  block b;
  b.source = source;
  b.batch = batch;
  b.awaiting = awaiting;
  std::sort(b.awaiting.begin(), b.awaiting.end());
  b.awaiting.erase(std::unique(b.awaiting.begin(), b.awaiting.end()), b.awaiting.end());
  b.findings = std::move(findings);
  merge_verdict(b.findings, own_verdict);
  // Verdicts that overtook this delivery, in the order they came.
  for (auto it = early_.begin(); it != early_.end();) {
    auto w = std::find(b.awaiting.begin(), b.awaiting.end(), it->from);
    if (it->batch != batch || it->source != source || w == b.awaiting.end()) {
      ++it;
      continue;
    }
    b.awaiting.erase(w);
    merge_verdict(b.findings, it->findings);
    it = early_.erase(it);
  }
  blocks_.push_back(std::move(b));
}

void held_findings::saw(const std::string& source, std::uint64_t batch) {
  auto [it, fresh] = last_seen_.try_emplace({source, model::batch_node_tag(batch)}, batch);
  if (!fresh) it->second = std::max(it->second, batch);
}

bool held_findings::add_verdict(const std::string& source, std::uint64_t batch, std::uint64_t from,
                                const std::vector<model::finding>& findings) {
  for (auto& b : blocks_) {
    if (b.batch != batch || b.source != source) continue;
    auto it = std::find(b.awaiting.begin(), b.awaiting.end(), from);
    if (it == b.awaiting.end()) continue;
    b.awaiting.erase(it);
    merge_verdict(b.findings, findings);
    return true;
  }
  if (!claimable(source, batch)) return false;
  early_.push_back({source, batch, from, findings});
  return true;
}

}  // namespace seerflow::correlate
