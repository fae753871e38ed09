#pragma once
// Everything correlation keeps about one entity: its decaying risk, its kill chain and the
// event-time watermark of its findings. Findings go in, risk and kill-chain alerts about the
// entity come out. Owned by the entity actor; snapshotted with the entity's state.
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "runtime/correlate/kill_chain.hpp"
#include "runtime/correlate/risk_score.hpp"
#include "runtime/correlate/settings.hpp"
#include "runtime/correlate/watermark.hpp"
#include "runtime/model/alert.hpp"
#include "runtime/model/entity.hpp"
#include "runtime/model/finding.hpp"
#include "runtime/util/byte_codec.hpp"

namespace seerflow::correlate {

// One finding's share of the risk, kept (bounded) as the risk alert's evidence.
struct contribution {
  std::string alert_id;
  std::string kind;
  std::string rule;
  std::int64_t time_ns = 0;
  double points = 0;
  std::vector<std::uint64_t> event_seqs;
};

class entity_correlator {
 public:
  explicit entity_correlator(const settings& s);

  // Applies `findings` in order; appends the alerts they raise about `entity` to `out`.
  // Returns how many of them were late (behind the watermark): they still count towards risk,
  // decayed to their own time, and towards the kill chain if still inside its window.
  std::size_t apply(const model::entity_ref& entity, const std::string& source,
                    const std::vector<model::finding>& findings, std::vector<model::alert>& out);

  const risk_score& risk() const { return risk_; }
  const kill_chain& chain() const { return chain_; }
  const watermark& marks() const { return wm_; }
  std::uint64_t findings() const { return findings_; }
  std::uint64_t late_findings() const { return late_; }
  std::uint64_t risk_alerts() const { return risk_alerts_; }
  std::uint64_t kill_chain_alerts() const { return kill_chain_alerts_; }

  // Oldest event time still in the kill-chain window.
  std::int64_t horizon_ns() const;

  void write(util::byte_writer& w) const;
  bool read(util::byte_reader& r);
  // Bounded view for the inspection console: risk, tactics in the window, watermark.
  nlohmann::ordered_json view() const;

 private:
  model::alert risk_alert(const model::entity_ref& e, const std::string& source,
                          const model::finding& trigger) const;
  model::alert kill_chain_alert(const model::entity_ref& e, const std::string& source,
                                const kill_chain_report& r) const;

  settings s_;
  risk_score risk_;
  kill_chain chain_;
  watermark wm_;
  std::deque<contribution> contributors_;  // newest last, at most s_.max_contributors
  std::uint64_t findings_ = 0;
  std::uint64_t late_ = 0;
  std::uint64_t risk_alerts_ = 0;
  std::uint64_t kill_chain_alerts_ = 0;
};

}  // namespace seerflow::correlate
