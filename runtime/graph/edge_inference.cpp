#include "runtime/graph/edge_inference.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "runtime/util/hash.hpp"

namespace seerflow::graph {

namespace {

using model::entity_type;

bool has_any(std::string_view text, std::initializer_list<std::string_view> words) {
  for (auto w : words)
    if (text.find(w) != std::string_view::npos) return true;
  return false;
}

bool reports_success(std::string_view m) {
  if (has_any(m, {"fail", "invalid", "denied", "not ", "unsuccessful", "refused"})) return false;
  return has_any(m, {"accepted ", "session opened", "authenticated", "logged in",
                     "login successful", "successful login", "new session"});
}

bool binds_address(std::string_view m) {
  return has_any(m, {"dhcpack", "dhcpoffer", "dhcprequest", "lease", "has address", " is at ",
                     "assigned", "bound to"});
}

bool resolves(const model::event& ev, std::string_view m) {
  if (ev.ls.category == "dns" || ev.ls.service == "dns") return true;
  std::string_view app = ev.app;
  if (app == "dnsmasq" || app == "named" || app == "unbound" || app == "systemd-resolved")
    return true;
  return has_any(
      m, {"reply", "resolv", "getaddrinfo", "reverse mapping", "has address", "query", "lookup"});
}

bool starts_process(std::string_view m) {
  return has_any(m, {"exec", "spawn", "command=", "cmd", "start", "fork", "launch"});
}

}  // namespace

std::size_t edge_inference::key_hash::operator()(const key& k) const noexcept {
  return static_cast<std::size_t>(util::mix64(k.from ^ util::mix64(k.to + k.type)));
}

void edge_inference::relate(const model::entity_ref& from, const model::entity_ref& to,
                            model::edge_type t, std::int64_t time_ns, std::size_t& budget,
                            bool& capped) {
  if (from == to) return;
  if (budget == 0) {
    capped = true;
    return;
  }
  --budget;
  ++stats_.relations;
  const key k{model::entity_key(from.id), model::entity_key(to.id), static_cast<std::uint8_t>(t)};
  auto [it, fresh] = index_.try_emplace(k, batch_.size());
  if (fresh) {
    batch_.push_back({from, to, t, time_ns, time_ns, 1});
    return;
  }
  auto& o = batch_[it->second];
  o.first_ns = std::min(o.first_ns, time_ns);
  o.last_ns = std::max(o.last_ns, time_ns);
  ++o.count;
}

void edge_inference::add(const model::event& ev) {
  ++stats_.events;
  if (ev.entities.size() < 2) return;
  std::array<std::vector<const model::entity_ref*>, 6> by_type;
  for (const auto& e : ev.entities) by_type[static_cast<std::size_t>(e.type)].push_back(&e);
  const auto& users = by_type[static_cast<std::size_t>(entity_type::user)];
  const auto& ips = by_type[static_cast<std::size_t>(entity_type::ip)];
  const auto& hosts = by_type[static_cast<std::size_t>(entity_type::host)];
  const auto& files = by_type[static_cast<std::size_t>(entity_type::file)];
  const auto& domains = by_type[static_cast<std::size_t>(entity_type::domain)];
  const auto& procs = by_type[static_cast<std::size_t>(entity_type::process)];

  // Most lines name only their host and program: no rule applies, and the message is not
  // even lowered.
  const bool any_rule = (!users.empty() && (!ips.empty() || !hosts.empty() || !files.empty())) ||
                        (!ips.empty() && (!hosts.empty() || !domains.empty())) || procs.size() >= 2;
  if (!any_rule) return;
  lower_.assign(ev.message);
  std::transform(lower_.begin(), lower_.end(), lower_.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string_view m = lower_;
  std::size_t budget = max_pairs_;
  bool capped = false;
  const auto t = ev.time_ns;

  if (!users.empty() && (!ips.empty() || !hosts.empty()) && reports_success(m)) {
    for (auto* u : users) {
      for (auto* ip : ips) relate(*u, *ip, model::edge_type::authenticated_from, t, budget, capped);
      for (auto* h : hosts) relate(*u, *h, model::edge_type::logged_into, t, budget, capped);
    }
  }
  if (!hosts.empty() && !ips.empty() && binds_address(m))
    for (auto* h : hosts)
      for (auto* ip : ips) relate(*h, *ip, model::edge_type::has_ip, t, budget, capped);
  for (auto* u : users)
    for (auto* f : files) relate(*u, *f, model::edge_type::accessed, t, budget, capped);
  if (!domains.empty() && !ips.empty() && resolves(ev, m))
    for (auto* d : domains)
      for (auto* ip : ips) relate(*d, *ip, model::edge_type::resolved_to, t, budget, capped);
  // The header's program is the first process the extractor emits (header entities come
  // first); without a program in the header there is no known parent.
  if (procs.size() >= 2 && !ev.app.empty() && starts_process(m))
    for (std::size_t i = 1; i < procs.size(); ++i)
      relate(*procs[i], *procs[0], model::edge_type::spawned_by, t, budget, capped);
  if (capped) ++stats_.capped_events;
}

void edge_inference::take(std::vector<model::edge_observation>& out) {
  out = std::move(batch_);
  batch_.clear();
  index_.clear();
}

}  // namespace seerflow::graph
