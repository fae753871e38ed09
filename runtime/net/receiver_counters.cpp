#include "runtime/net/receiver_counters.hpp"

#include <algorithm>

namespace seerflow::net {

namespace {
metrics::labels receiver_label(const std::string& name) {
  return {{"receiver", name}};
}
}  // namespace

reason_counters::reason_counters(metrics::registry& reg, std::string name, metrics::labels base)
    : reg_(reg), name_(std::move(name)), base_(std::move(base)) {}

metrics::counter& reason_counters::lookup_locked(std::string_view reason) const {
  for (const auto& [r, c] : cache_)
    if (r == reason) return *c;
  auto tags = base_;
  tags.emplace_back("reason", std::string(reason));
  auto& c = reg_.get_counter(name_, std::move(tags));
  cache_.emplace_back(std::string(reason), &c);
  return c;
}

void reason_counters::add(std::string_view reason, std::uint64_t n) {
  std::lock_guard<std::mutex> guard(mtx_);
  lookup_locked(reason).add(n);
}

std::uint64_t reason_counters::value(std::string_view reason) const {
  std::lock_guard<std::mutex> guard(mtx_);
  return lookup_locked(reason).value();
}

std::uint64_t reason_counters::total() const {
  // From the registry, so reasons counted through another handle of the same receiver count too.
  std::uint64_t sum = 0;
  for (const auto& s : reg_.snapshot()) {
    if (s.name != name_ || !s.is_counter) continue;
    bool match = true;
    for (const auto& label : base_)
      if (std::find(s.tags.begin(), s.tags.end(), label) == s.tags.end()) match = false;
    if (match) sum += static_cast<std::uint64_t>(s.value);
  }
  return sum;
}

receiver_counters::receiver_counters(metrics::registry& reg, std::string receiver)
    : records_received(reg.get_counter("records_received", receiver_label(receiver))),
      bytes_received(reg.get_counter("bytes_received", receiver_label(receiver))),
      batches_submitted(reg.get_counter("batches_submitted", receiver_label(receiver))),
      connections_accepted(reg.get_counter("connections_accepted", receiver_label(receiver))),
      connections_open(reg.get_gauge("connections_open", receiver_label(receiver))),
      name_(std::make_shared<const std::string>(receiver)),
      dropped_(std::make_shared<reason_counters>(reg, "records_dropped", receiver_label(receiver))),
      rejected_(
          std::make_shared<reason_counters>(reg, "records_rejected", receiver_label(receiver))),
      refused_(
          std::make_shared<reason_counters>(reg, "connections_refused", receiver_label(receiver))),
      closed_(
          std::make_shared<reason_counters>(reg, "connections_closed", receiver_label(receiver))) {}

}  // namespace seerflow::net
