#pragma once
// Test helper: a one-rule set from a detection block, evaluated against a JSON event.
#include <nlohmann/json.hpp>
#include <string>

#include "rules/engine/rule_set.hpp"
#include "tests/unit/rules/event_json.hpp"

namespace seerflow::rules::testing {

inline std::string rule_yaml(const std::string& detection) {
  return "title: t\nid: test-rule\nlogsource:\n  product: test\ndetection:\n" + detection;
}

struct one_rule {
  rule_set rs;
  explicit one_rule(const std::string& detection, load_options opts = {}) : rs(std::move(opts)) {
    rs.add_yaml(rule_yaml(detection), "test.yml");
    rs.finalize();
  }
  bool loaded() const { return rs.rules().size() == 1 && rs.rejections().empty(); }
  std::string reason() const {
    return rs.rejections().empty() ? std::string() : rs.rejections().front().reason;
  }
  bool match(const std::string& json_event) const {
    field_view ev(rs.fields());
    fill(ev, nlohmann::json::parse(json_event));
    match_scratch s;
    std::vector<std::uint32_t> hits;
    rs.evaluate(rs.all_rules(), ev, s, hits);
    const bool plain = rule_matches(rs.rules().at(0), ev);
    if (plain != !hits.empty()) throw std::runtime_error("prefilter disagrees");
    return plain;
  }
};

}  // namespace seerflow::rules::testing
