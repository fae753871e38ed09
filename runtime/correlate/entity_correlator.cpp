#include "runtime/correlate/entity_correlator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "runtime/correlate/attach_findings.hpp"
#include "runtime/correlate/finding_points.hpp"
#include "runtime/correlate/tactic_order.hpp"
#include "runtime/util/civil_time.hpp"
#include "runtime/util/hash.hpp"

namespace seerflow::correlate {

namespace {

constexpr std::uint8_t snapshot_version = 1;
constexpr std::size_t max_alert_events = 32;

std::string hex64(std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 15];
  return s;
}

// Two decimals: enough to read, and the printed alerts stay stable across platforms' last bits.
double rounded(double v) {
  return std::round(v * 100.0) / 100.0;
}

std::string entity_label(const model::entity_ref& e) {
  return std::string(model::to_string(e.type)) + " " + e.value;
}

// Deterministic ids: the same input gives the same alerts (golden tests, dedup across restarts).
std::string alert_id(const char* prefix, const model::entity_ref& e, std::int64_t time_ns,
                     const std::string& salt) {
  const std::string key = std::string(model::to_string(e.type)) + '\x1f' + e.value + '\x1f' +
                          std::to_string(time_ns) + '\x1f' + salt;
  return prefix + hex64(util::fnv1a64(key));
}

}  // namespace

entity_correlator::entity_correlator(const settings& s)
    : s_(s),
      risk_(s.half_life_ns, s.risk_threshold),
      chain_(s.kill_chain_min_tactics, s.max_evidence),
      wm_(s.allowed_lateness_ns) {}

std::int64_t entity_correlator::horizon_ns() const {
  const auto mark = wm_.value();
  std::int64_t h;
  if (__builtin_sub_overflow(mark, s_.kill_chain_window_ns, &h))
    return std::numeric_limits<std::int64_t>::min();
  return h;
}

std::size_t entity_correlator::apply(const model::entity_ref& entity, const std::string& source,
                                     const std::vector<model::finding>& findings,
                                     std::vector<model::alert>& out) {
  std::size_t late = 0;
  for (const auto& f : findings) {
    // Correlation's own alerts would feed back on themselves.
    if (!is_finding_kind(f.kind)) continue;
    ++findings_;
    if (wm_.observe(f.time_ns)) {
      ++late;
      ++late_;
    }
    const double points = finding_points(s_.points, f);
    if (points > 0) {
      contribution c{f.alert_id, f.kind, f.rule, f.time_ns, points, {}};
      c.event_seqs.assign(f.event_seqs.begin(),
                          f.event_seqs.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(
                                                     f.event_seqs.size(), max_alert_events)));
      contributors_.push_back(std::move(c));
      while (contributors_.size() > s_.max_contributors) contributors_.pop_front();
      if (risk_.add(f.time_ns, points)) {
        out.push_back(risk_alert(entity, source, f));
        ++risk_alerts_;
      }
    }
    if (auto report = chain_.observe(f, horizon_ns())) {
      out.push_back(kill_chain_alert(entity, source, *report));
      ++kill_chain_alerts_;
    }
  }
  return late;
}

model::alert entity_correlator::risk_alert(const model::entity_ref& e, const std::string& source,
                                           const model::finding& trigger) const {
  model::alert a;
  a.kind = "risk";
  a.rule = "risk_threshold";
  a.severity = "high";
  a.source = source;
  a.time_ns = trigger.time_ns;
  a.entities = {e};
  a.id = alert_id("risk-", e, trigger.time_ns, std::to_string(risk_alerts_));
  char head[96];
  std::snprintf(head, sizeof head, " reached %.1f (threshold %g)", rounded(risk_.value()),
                s_.risk_threshold);
  a.title = "Risk of " + entity_label(e) + head;
  nlohmann::ordered_json d;
  d["risk"] = rounded(risk_.value());
  d["threshold"] = s_.risk_threshold;
  d["half_life_s"] = s_.half_life_ns / 1'000'000'000;
  auto contributors = nlohmann::ordered_json::array();
  for (const auto& c : contributors_) {
    contributors.push_back({{"alert", c.alert_id},
                            {"kind", c.kind},
                            {"rule", c.rule},
                            {"time", util::format_rfc3339(c.time_ns)},
                            {"points", c.points}});
    for (auto s : c.event_seqs)
      if (a.event_seqs.size() < max_alert_events &&
          std::find(a.event_seqs.begin(), a.event_seqs.end(), s) == a.event_seqs.end())
        a.event_seqs.push_back(s);
  }
  std::sort(a.event_seqs.begin(), a.event_seqs.end());
  d["contributors"] = std::move(contributors);
  a.details_json = d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return a;
}

model::alert entity_correlator::kill_chain_alert(const model::entity_ref& e,
                                                 const std::string& source,
                                                 const kill_chain_report& r) const {
  model::alert a;
  a.kind = "kill_chain";
  a.rule = "kill_chain";
  a.severity = r.stages.size() >= s_.kill_chain_min_tactics + 2 ? "critical" : "high";
  a.source = source;
  a.time_ns = r.time_ns;
  a.entities = {e};
  std::string names;
  nlohmann::ordered_json stages = nlohmann::ordered_json::array();
  for (const auto& st : r.stages) {
    a.tactics.push_back(st.tactic);
    names += (names.empty() ? "" : ", ") + st.tactic;
    auto ev = nlohmann::ordered_json::array();
    for (const auto& x : st.evidence)
      ev.push_back({{"alert", x.alert_id},
                    {"rule", x.rule},
                    {"title", x.title},
                    {"time", util::format_rfc3339(x.time_ns)}});
    stages.push_back({{"tactic", st.tactic}, {"evidence", std::move(ev)}});
  }
  a.id = alert_id("kc-", e, r.time_ns, names);
  a.title = "Kill chain on " + entity_label(e) + ": " + std::to_string(r.stages.size()) +
            " ATT&CK tactics (" + names + ")";
  nlohmann::ordered_json d;
  d["window_s"] = s_.kill_chain_window_ns / 1'000'000'000;
  d["min_tactics"] = s_.kill_chain_min_tactics;
  d["stages"] = std::move(stages);
  a.details_json = d.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return a;
}

void entity_correlator::write(util::byte_writer& w) const {
  w.u8(snapshot_version);
  w.f64(risk_.value());
  w.svarint(risk_.anchor_ns());
  w.u8(static_cast<std::uint8_t>((risk_.armed() ? 1 : 0) | (risk_.empty() ? 2 : 0) |
                                 (wm_.empty() ? 4 : 0)));
  w.svarint(wm_.newest_ns());
  w.varint(findings_);
  w.varint(late_);
  w.varint(risk_alerts_);
  w.varint(kill_chain_alerts_);
  w.varint(contributors_.size());
  for (const auto& c : contributors_) {
    w.str(c.alert_id);
    w.str(c.kind);
    w.str(c.rule);
    w.svarint(c.time_ns);
    w.f64(c.points);
    w.varint(c.event_seqs.size());
    for (auto s : c.event_seqs) w.varint(s);
  }
  chain_.write(w);
}

bool entity_correlator::read(util::byte_reader& r) {
  if (r.u8() != snapshot_version) return false;
  const double value = r.f64();
  const auto anchor = r.svarint();
  const auto flags = r.u8();
  const auto newest = r.svarint();
  risk_.restore(value, anchor, flags & 1, flags & 2);
  wm_.restore(newest, flags & 4);
  findings_ = r.varint();
  late_ = r.varint();
  risk_alerts_ = r.varint();
  kill_chain_alerts_ = r.varint();
  const auto n = r.varint();
  if (!r.plausible_count(n, 13)) return false;
  contributors_.clear();
  for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
    contribution c;
    c.alert_id = r.str(1024);
    c.kind = r.str(64);
    c.rule = r.str(1024);
    c.time_ns = r.svarint();
    c.points = r.f64();
    const auto m = r.varint();
    if (m > max_alert_events || !r.plausible_count(m, 1)) return false;
    for (std::uint64_t j = 0; j < m && r.ok(); ++j) c.event_seqs.push_back(r.varint());
    contributors_.push_back(std::move(c));
  }
  while (contributors_.size() > s_.max_contributors) contributors_.pop_front();
  return chain_.read(r) && r.ok();
}

nlohmann::ordered_json entity_correlator::view() const {
  nlohmann::ordered_json j;
  j["risk"] = rounded(risk_.value_at(wm_.newest_ns()));
  j["risk_threshold"] = s_.risk_threshold;
  j["risk_armed"] = risk_.armed();
  j["risk_time"] = risk_.empty() ? "" : util::format_rfc3339(risk_.anchor_ns());
  j["findings"] = findings_;
  j["late_findings"] = late_;
  j["risk_alerts"] = risk_alerts_;
  j["kill_chain_alerts"] = kill_chain_alerts_;
  j["watermark"] = wm_.empty() ? "" : util::format_rfc3339(wm_.value());
  j["window_s"] = s_.kill_chain_window_ns / 1'000'000'000;
  const auto h = horizon_ns();
  j["window_start"] = wm_.empty() ? "" : util::format_rfc3339(h);
  auto tactics = nlohmann::ordered_json::array();
  for (const auto& st : chain_.stages(h)) {
    const auto& last = st.evidence.back();
    tactics.push_back({{"tactic", st.tactic},
                       {"evidence", st.evidence.size()},
                       {"last_alert", last.alert_id},
                       {"last_rule", last.rule},
                       {"last_time", util::format_rfc3339(last.time_ns)}});
  }
  j["tactics"] = std::move(tactics);
  j["reported_tactics"] = chain_.reported();
  auto contributors = nlohmann::ordered_json::array();
  for (const auto& c : contributors_)
    contributors.push_back({{"alert", c.alert_id},
                            {"kind", c.kind},
                            {"rule", c.rule},
                            {"time", util::format_rfc3339(c.time_ns)},
                            {"points", c.points}});
  j["recent_contributors"] = std::move(contributors);
  return j;
}

}  // namespace seerflow::correlate
