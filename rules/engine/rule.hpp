#pragma once
// Compiled Sigma rules: detection items, search identifiers, condition trees, rule metadata,
// correlation and meta-filter documents. Built by rule_loader, indexed by rule_set; plain data
// so that callers can read the metadata they put into alerts.
#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "rules/engine/field_view.hpp"
#include "rules/engine/wildcard.hpp"

namespace re2 {
class RE2;
}

namespace seerflow::rules {

enum class compare_op : std::uint8_t { lt, lte, gt, gte, eq, neq };

struct ip_network {
  bool v6 = false;
  std::uint8_t addr[16] = {};
  int prefix = 0;
};

// One comparison of a rule value against one event value.
struct value_test {
  enum class kind : std::uint8_t {
    pattern,   // Sigma string (wildcards, case folding)
    regex,     // RE2 search
    cidr,      // IP inside a network
    number,    // numeric equality (numeric strings parsed)
    compare,   // lt/lte/gt/gte
    boolean,   // true/false
    null,      // absent or JSON null
    exists,    // presence (flag = expected)
    fieldref,  // equal to / contains another field of the event
  };
  kind k = kind::pattern;
  bool flag = false;
  compare_op op = compare_op::eq;
  string_pattern::shape ref_shape = string_pattern::shape::exact;
  std::uint32_t ref_field = no_field;
  double number = 0;
  string_pattern pattern;
  std::shared_ptr<const re2::RE2> regex;
  ip_network net;
};

// `field|mods: values`. Each group is the expansion of one written value (always OR-ed); the
// groups are OR-ed, or AND-ed with `all`. `negate` implements `neq`.
struct detection_item {
  std::uint32_t field = no_field;
  bool keyword = false;
  bool all = false;
  bool negate = false;
  // Set by the loader when no test is `exists` or `null`: every test then needs a value of the
  // field, so an event without the field fails each group without looking at the tests.
  bool value_only = false;
  std::vector<std::vector<value_test>> groups;
};

// A search identifier: OR of maps, each map an AND of items.
struct search_def {
  std::string name;
  std::vector<std::vector<detection_item>> alternatives;
};

struct cond_node {
  enum class op : std::uint8_t { and_, or_, not_, ident };
  op o = op::ident;
  std::uint32_t a = 0, b = 0;  // children (and/or: a,b; not: a) or search index (ident)
};

// A parsed condition; root == no_field when every `x of` pattern dropped out (never matches).
struct condition_tree {
  std::vector<cond_node> nodes;
  std::uint32_t root = no_field;
};

struct detection {
  std::vector<search_def> searches;
  std::vector<condition_tree> conditions;  // a YAML list of conditions is OR-ed
};

struct logsource {
  std::string product, category, service;
  bool operator==(const logsource&) const = default;
  bool operator<(const logsource& o) const {
    return std::tie(product, category, service) < std::tie(o.product, o.category, o.service);
  }
};

// What an alert carries about the rule (the Detection Rule License requires `author`).
struct rule_info {
  std::string id, name, title, level, status, author, description, file;
  std::vector<std::string> tags;
  std::vector<std::string> techniques;  // "T1059.004"
  std::vector<std::string> tactics;     // "credential-access"
  std::vector<std::string> tactic_ids;  // "TA0006"
  logsource source;
};

// A literal the prefilter looks for: anywhere in a scanned field (contains; field is no_field
// for keywords, which search every field), or at the start, the end or as the whole value of
// one field. Text is case-folded.
struct literal_key {
  enum class anchor : std::uint8_t { contains, prefix, suffix, exact };
  anchor where = anchor::contains;
  std::uint32_t field = no_field;
  std::string text;
  auto operator<=>(const literal_key&) const = default;
};

struct detection_rule {
  rule_info info;
  detection det;
  std::vector<std::shared_ptr<const detection>> filters;  // meta-filters AND-ed to the rule
  bool generate = true;  // false when only a correlation (generate: false) uses it
  // Prefilter in conjunctive form: every clause lists folded literals of which at least one
  // occurs in any event the rule matches. No clauses: the rule is always evaluated.
  std::vector<std::vector<literal_key>> clauses;
};

enum class correlation_type : std::uint8_t { event_count, value_count, temporal, temporal_ordered };

struct correlation_condition {
  std::vector<std::pair<compare_op, double>> terms;  // all must hold (a range has two)
  std::string field;                                 // value_count
};

struct correlation_rule {
  rule_info info;
  correlation_type type = correlation_type::event_count;
  std::vector<std::string> rule_refs;  // as written (ids or names)
  // Resolved references, same order: a detection rule (rule_index, ref_correlation no_field) or
  // another correlation rule (rule_index no_field, ref_correlation its index): chaining, such
  // as "a brute force, then a login from the same address".
  std::vector<std::uint32_t> rule_index;
  std::vector<std::uint32_t> ref_correlation;
  std::vector<std::string> group_by;
  // alias -> (referenced rule name/id -> field)
  std::map<std::string, std::map<std::string, std::string>> aliases;
  std::int64_t timespan_ns = 0;
  correlation_condition condition;
  bool generate = false;
};

struct filter_rule {
  rule_info info;
  std::shared_ptr<detection> det;
  std::vector<std::string> rule_refs;  // empty = every rule of the logsource
};

bool compare(double lhs, compare_op op, double rhs);

// Evaluation of compiled structures against one event (no prefilter, no logsource check).
bool item_matches(const detection_item& item, const field_view& ev);
bool detection_matches(const detection& det, const field_view& ev);
bool rule_matches(const detection_rule& rule, const field_view& ev);

}  // namespace seerflow::rules
