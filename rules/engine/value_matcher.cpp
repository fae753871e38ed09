// Evaluation of compiled detection items and conditions against one field_view.
#include <arpa/inet.h>
#include <re2/re2.h>

#include <charconv>
#include <cstring>

#include "rules/engine/rule.hpp"

namespace seerflow::rules {

namespace {

bool parse_number(std::string_view s, double& out) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) return false;
  if (s.front() == '+') s.remove_prefix(1);
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_ip(std::string_view s, bool& v6, std::uint8_t* addr) {
  if (s.empty() || s.size() > 45) return false;
  char tmp[64];
  std::memcpy(tmp, s.data(), s.size());
  tmp[s.size()] = 0;
  if (inet_pton(AF_INET, tmp, addr) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, tmp, addr) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

bool in_network(const ip_network& net, std::string_view text) {
  bool v6 = false;
  std::uint8_t a[16] = {};
  if (!parse_ip(text, v6, a) || v6 != net.v6) return false;
  int bits = net.prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xFF : static_cast<std::uint8_t>(0xFF << (8 - bits));
    if ((a[i] & mask) != (net.addr[i] & mask)) return false;
  }
  return true;
}

bool shape_match(string_pattern::shape s, std::string_view v, std::string_view ref) {
  switch (s) {
    case string_pattern::shape::prefix:
      return v.starts_with(ref);
    case string_pattern::shape::suffix:
      return v.ends_with(ref);
    case string_pattern::shape::contains:
      return v.find(ref) != std::string_view::npos;
    default:
      return v == ref;
  }
}

// One rule value against one present, non-null event value.
bool leaf_match(const value_test& t, const field_view& ev, const field_view::entry& e) {
  switch (t.k) {
    case value_test::kind::pattern:
      return t.pattern.match(ev.raw(e), ev.folded(e));
    case value_test::kind::regex:
      return re2::RE2::PartialMatch(ev.raw(e), *t.regex);
    case value_test::kind::cidr:
      return in_network(t.net, ev.raw(e));
    case value_test::kind::number: {
      if (e.kind == value_kind::boolean) return false;
      double d = 0;
      return parse_number(ev.raw(e), d) && d == t.number;
    }
    case value_test::kind::compare: {
      if (e.kind == value_kind::boolean) return false;
      double d = 0;
      return parse_number(ev.raw(e), d) && compare(d, t.op, t.number);
    }
    case value_test::kind::boolean:
      return ev.folded(e) == (t.flag ? std::string_view("true") : std::string_view("false"));
    case value_test::kind::fieldref: {
      for (auto* o = ev.first(t.ref_field); o; o = ev.next(*o)) {
        if (o->kind == value_kind::null) continue;
        const bool hit = t.pattern.cased() ? shape_match(t.ref_shape, ev.raw(e), ev.raw(*o))
                                           : shape_match(t.ref_shape, ev.folded(e), ev.folded(*o));
        if (hit) return true;
      }
      return false;
    }
    default:
      return false;
  }
}

bool test_matches(const value_test& t, const field_view& ev, const field_view::entry* first) {
  if (t.k == value_test::kind::exists) return (first != nullptr) == t.flag;
  if (t.k == value_test::kind::null) {
    if (!first) return true;
    for (auto* e = first; e; e = ev.next(*e))
      if (e->kind == value_kind::null) return true;
    return false;
  }
  if (t.k == value_test::kind::pattern) {  // most tests: no dispatch through leaf_match
    for (auto* e = first; e; e = ev.next(*e))
      if (e->kind != value_kind::null && t.pattern.match(ev.raw(*e), ev.folded(*e))) return true;
    return false;
  }
  for (auto* e = first; e; e = ev.next(*e)) {
    if (e->kind == value_kind::null) continue;
    if (leaf_match(t, ev, *e)) return true;
  }
  return false;
}

// Keywords search every string value of the event; numeric keywords need an equal value.
bool keyword_matches(const value_test& t, const field_view& ev) {
  if (t.k == value_test::kind::pattern && !t.pattern.cased() &&
      t.pattern.kind() == string_pattern::shape::contains &&
      t.pattern.literal().find(field_view::keyword_separator) == std::string::npos)
    return t.pattern.contains(ev.keyword_text());
  for (const auto& e : ev.entries()) {
    if (e.kind == value_kind::null) continue;
    if (t.k != value_test::kind::number && e.kind != value_kind::string) continue;
    if (leaf_match(t, ev, e)) return true;
  }
  return false;
}

bool eval_node(const detection& det, const condition_tree& c, std::uint32_t n,
               const field_view& ev);

bool search_matches(const search_def& s, const field_view& ev) {
  for (const auto& alt : s.alternatives) {
    bool all = true;
    for (const auto& item : alt) {
      if (!item_matches(item, ev)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

bool eval_node(const detection& det, const condition_tree& c, std::uint32_t n,
               const field_view& ev) {
  const auto& node = c.nodes[n];
  switch (node.o) {
    case cond_node::op::and_:
      return eval_node(det, c, node.a, ev) && eval_node(det, c, node.b, ev);
    case cond_node::op::or_:
      return eval_node(det, c, node.a, ev) || eval_node(det, c, node.b, ev);
    case cond_node::op::not_:
      return !eval_node(det, c, node.a, ev);
    case cond_node::op::ident:
      return search_matches(det.searches[node.a], ev);
  }
  return false;
}

}  // namespace

bool compare(double lhs, compare_op op, double rhs) {
  switch (op) {
    case compare_op::lt:
      return lhs < rhs;
    case compare_op::lte:
      return lhs <= rhs;
    case compare_op::gt:
      return lhs > rhs;
    case compare_op::gte:
      return lhs >= rhs;
    case compare_op::eq:
      return lhs == rhs;
    case compare_op::neq:
      return lhs != rhs;
  }
  return false;
}

bool item_matches(const detection_item& item, const field_view& ev) {
  const field_view::entry* first = item.keyword ? nullptr : ev.first(item.field);
  if (!first && item.value_only && !item.keyword) {
    // Every group fails: `all` holds only over no groups, any-of never.
    const bool r = item.all && item.groups.empty();
    return item.negate ? !r : r;
  }
  auto group_hit = [&](const std::vector<value_test>& g) {
    for (const auto& t : g) {
      if (item.keyword ? keyword_matches(t, ev) : test_matches(t, ev, first)) return true;
    }
    return false;
  };
  bool r;
  if (item.all) {
    r = true;
    for (const auto& g : item.groups)
      if (!group_hit(g)) {
        r = false;
        break;
      }
  } else {
    r = false;
    for (const auto& g : item.groups)
      if (group_hit(g)) {
        r = true;
        break;
      }
  }
  return item.negate ? !r : r;
}

bool detection_matches(const detection& det, const field_view& ev) {
  for (const auto& c : det.conditions) {
    if (c.root != no_field && eval_node(det, c, c.root, ev)) return true;
  }
  return false;
}

bool rule_matches(const detection_rule& rule, const field_view& ev) {
  if (!detection_matches(rule.det, ev)) return false;
  for (const auto& f : rule.filters)
    if (!detection_matches(*f, ev)) return false;
  return true;
}

}  // namespace seerflow::rules
