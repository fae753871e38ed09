#include "rules/match/alert_fields.hpp"

#include <array>

namespace seerflow::rules {
namespace {

constexpr std::array<std::string_view, 5> levels{"informational", "low", "medium", "high",
                                                 "critical"};

// Sigma levels as alert severities: informational rules alert as "low".
std::string severity_of(const std::string& level) {
  const int r = level_rank(level);
  if (r <= 1) return "low";
  return std::string(levels[static_cast<std::size_t>(r)]);
}

}  // namespace

int level_rank(std::string_view level) {
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (levels[i] == level) return static_cast<int>(i);
  return -1;
}

std::string hex64(std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 15];
  return s;
}

model::alert alert_from(const rule_info& info, const char* kind, const std::string& source,
                        std::int64_t time_ns, std::uint64_t seq,
                        const std::vector<model::entity_ref>& entities) {
  model::alert a;
  a.kind = kind;
  a.rule = info.id.empty() ? info.title : info.id;
  a.title = info.title;
  a.severity = severity_of(info.level);
  a.source = source;
  a.time_ns = time_ns;
  a.event_seqs = {seq};
  a.entities = entities;
  a.tactics = info.tactics;
  a.techniques = info.techniques;
  return a;
}

}  // namespace seerflow::rules
