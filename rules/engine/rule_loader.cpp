#include "rules/engine/rule_loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>

#include "rules/engine/attack_tags.hpp"
#include "rules/engine/condition_parser.hpp"
#include "runtime/util/utf8.hpp"

namespace seerflow::rules {

namespace {

struct load_error {
  std::string reason;
};

// Counts nodes visited so that an alias bomb (a few lines expanding to billions of nodes)
// is stopped instead of walked.
struct budget {
  std::size_t left;
  void spend(std::size_t n = 1) {
    if (n > left) throw load_error{"document too large (YAML node budget exceeded)"};
    left -= n;
  }
};

bool plain(const YAML::Node& n) {
  return n.Tag() == "?";
}

bool is_int(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool is_float(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool digits = false, dot = false;
  std::size_t i = 0;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (!digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (i >= s.size()) return false;
    for (; i < s.size(); ++i)
      if (s[i] < '0' || s[i] > '9') return false;
    return true;
  }
  return dot && i == s.size();
}

rule_value to_value(const YAML::Node& n) {
  rule_value v;
  if (!n.IsDefined() || n.IsNull()) {
    v.k = rule_value::kind::null;
    v.text = "null";
    return v;
  }
  v.text = n.Scalar();
  if (!plain(n)) return v;  // quoted: always a string
  const std::string& s = v.text;
  if (s == "null" || s == "Null" || s == "NULL" || s == "~" || s.empty()) {
    v.k = rule_value::kind::null;
  } else if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" ||
             s == "FALSE") {
    v.k = rule_value::kind::boolean;
    v.flag = s[0] == 't' || s[0] == 'T';
  } else if (is_int(s) || is_float(s)) {
    std::string_view sv = s;
    if (sv[0] == '+') sv.remove_prefix(1);
    double d = 0;
    auto r = std::from_chars(sv.data(), sv.data() + sv.size(), d);
    if (r.ec == std::errc() && r.ptr == sv.data() + sv.size()) {
      v.k = rule_value::kind::number;
      v.number = d;
    }
  }
  return v;
}

std::string scalar_or_empty(const YAML::Node& map, const char* key) {
  const YAML::Node n = map[key];
  if (n && n.IsScalar()) return n.Scalar();
  return {};
}

std::vector<std::string> string_list(const YAML::Node& n, budget& b, const char* what) {
  std::vector<std::string> out;
  if (!n || n.IsNull()) return out;
  if (n.IsScalar()) {
    out.push_back(n.Scalar());
    return out;
  }
  if (!n.IsSequence()) throw load_error{std::string(what) + " must be a string or a list"};
  for (const auto& e : n) {
    b.spend();
    if (!e.IsScalar()) throw load_error{std::string(what) + " must contain strings"};
    out.push_back(e.Scalar());
  }
  return out;
}

void read_info(const YAML::Node& doc, std::string_view file, rule_info& info, budget& b) {
  info.file = std::string(file);
  info.id = scalar_or_empty(doc, "id");
  info.name = scalar_or_empty(doc, "name");
  info.title = scalar_or_empty(doc, "title");
  info.level = scalar_or_empty(doc, "level");
  info.status = scalar_or_empty(doc, "status");
  info.description = scalar_or_empty(doc, "description");
  const YAML::Node author = doc["author"];
  if (author && author.IsScalar()) {
    info.author = author.Scalar();
  } else if (author && author.IsSequence()) {
    for (const auto& a : author) {
      b.spend();
      if (!a.IsScalar()) continue;
      if (!info.author.empty()) info.author += ", ";
      info.author += a.Scalar();
    }
  }
  const YAML::Node tags = doc["tags"];
  if (tags && tags.IsSequence()) {
    for (const auto& t : tags) {
      b.spend();
      if (t.IsScalar()) info.tags.push_back(t.Scalar());
    }
  }
  auto attack = map_attack_tags(info.tags);
  info.techniques = std::move(attack.techniques);
  info.tactics = std::move(attack.tactics);
  info.tactic_ids = std::move(attack.tactic_ids);
  const YAML::Node ls = doc["logsource"];
  if (ls && ls.IsMap()) {
    info.source.product = scalar_or_empty(ls, "product");
    info.source.category = scalar_or_empty(ls, "category");
    info.source.service = scalar_or_empty(ls, "service");
  } else if (ls && !ls.IsNull()) {
    throw load_error{"logsource must be a map"};
  }
}

std::vector<rule_value> item_values(const YAML::Node& v, budget& b, const std::string& key) {
  std::vector<rule_value> out;
  if (!v || v.IsNull() || v.IsScalar()) {
    out.push_back(to_value(v));
    return out;
  }
  if (v.IsSequence()) {
    for (const auto& e : v) {
      b.spend();
      if (!(e.IsScalar() || e.IsNull()))
        throw load_error{"detection item '" + key + "' has a nested value (only scalars allowed)"};
      out.push_back(to_value(e));
    }
    return out;
  }
  throw load_error{"detection item '" + key + "' has a map as value"};
}

detection_item make_item(const std::string& key, const std::vector<rule_value>& vals,
                         compile_context& ctx) {
  detection_item item;
  std::string err;
  if (!compile_item(key, vals, ctx, item, err)) throw load_error{"'" + key + "': " + err};
  item.value_only = true;
  for (const auto& g : item.groups)
    for (const auto& t : g)
      if (t.k == value_test::kind::exists || t.k == value_test::kind::null) item.value_only = false;
  return item;
}

std::vector<detection_item> compile_map(const YAML::Node& m, compile_context& ctx, budget& b) {
  std::vector<detection_item> items;
  for (const auto& kv : m) {
    b.spend();
    if (!kv.first.IsScalar()) throw load_error{"detection key is not a string"};
    const std::string key = kv.first.Scalar();
    items.push_back(make_item(key, item_values(kv.second, b, key), ctx));
  }
  // AND is order-free: test the items with the fewest values first, they are the cheapest and
  // usually the most selective (EventID before a list of fifty command-line fragments).
  auto weight = [](const detection_item& i) {
    std::size_t n = 0;
    for (const auto& g : i.groups) n += g.size();
    return n + (i.keyword ? 1000 : 0);
  };
  std::stable_sort(
      items.begin(), items.end(),
      [&](const detection_item& a, const detection_item& c) { return weight(a) < weight(c); });
  return items;
}

// The detection block (also the body of a meta-filter, minus `rules`).
std::shared_ptr<detection> compile_detection(const YAML::Node& det, compile_context& ctx, budget& b,
                                             bool is_filter) {
  if (!det.IsMap())
    throw load_error{is_filter ? "filter must be a map" : "detection must be a map"};
  auto out = std::make_shared<detection>();
  std::vector<std::string> conditions;
  bool have_condition = false;
  for (const auto& kv : det) {
    b.spend();
    if (!kv.first.IsScalar()) throw load_error{"detection key is not a string"};
    const std::string name = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (name == "condition") {
      conditions = string_list(v, b, "condition");
      have_condition = true;
      continue;
    }
    if (name == "timeframe") continue;  // obsolete; aggregations that used it are rejected
    if (is_filter && name == "rules") continue;
    search_def s;
    s.name = name;
    if (v.IsMap()) {
      s.alternatives.push_back(compile_map(v, ctx, b));
    } else if (v.IsSequence()) {
      std::vector<rule_value> keywords;
      bool maps = false, scalars = false;
      for (const auto& e : v) {
        b.spend();
        if (e.IsMap()) {
          maps = true;
          s.alternatives.push_back(compile_map(e, ctx, b));
        } else if (e.IsScalar() || e.IsNull()) {
          scalars = true;
          keywords.push_back(to_value(e));
        } else {
          throw load_error{"search identifier '" + name + "' has a nested list"};
        }
      }
      if (maps && scalars)
        throw load_error{"search identifier '" + name + "' mixes maps and keywords"};
      if (scalars) s.alternatives.push_back({make_item("", keywords, ctx)});
      if (!maps && !scalars) throw load_error{"search identifier '" + name + "' is empty"};
    } else if (v.IsScalar()) {
      s.alternatives.push_back({make_item("", {to_value(v)}, ctx)});
    } else {
      throw load_error{"search identifier '" + name + "' is empty"};
    }
    out->searches.push_back(std::move(s));
  }
  if (!have_condition || conditions.empty()) throw load_error{"detection has no condition"};
  std::vector<std::string> names;
  for (const auto& s : out->searches) names.push_back(s.name);
  for (const auto& c : conditions) {
    condition_tree tree;
    std::string err;
    if (!parse_condition(c, names, tree, err)) throw load_error{"condition '" + c + "': " + err};
    out->conditions.push_back(std::move(tree));
  }
  return out;
}

std::int64_t parse_timespan_or_throw(const YAML::Node& n) {
  if (!n || !n.IsScalar()) throw load_error{"correlation needs a timespan"};
  const auto ns = parse_timespan(n.Scalar());
  if (ns <= 0) throw load_error{"invalid timespan '" + n.Scalar() + "'"};
  return ns;
}

void load_correlation(const YAML::Node& doc, correlation_rule& c, budget& b) {
  const YAML::Node corr = doc["correlation"];
  if (!corr.IsMap()) throw load_error{"correlation must be a map"};
  const std::string type = scalar_or_empty(corr, "type");
  if (type == "event_count") {
    c.type = correlation_type::event_count;
  } else if (type == "value_count") {
    c.type = correlation_type::value_count;
  } else if (type == "temporal") {
    c.type = correlation_type::temporal;
  } else if (type == "temporal_ordered") {
    c.type = correlation_type::temporal_ordered;
  } else if (type.empty()) {
    throw load_error{"correlation has no type"};
  } else {
    throw load_error{"correlation type '" + type + "' is not supported"};
  }
  c.rule_refs = string_list(corr["rules"], b, "correlation rules");
  if (c.rule_refs.empty()) throw load_error{"correlation references no rules"};
  c.group_by = string_list(corr["group-by"], b, "group-by");
  c.timespan_ns = parse_timespan_or_throw(corr["timespan"]);
  if (const YAML::Node g = corr["generate"]; g && g.IsScalar()) {
    const auto v = to_value(g);
    if (v.k != rule_value::kind::boolean) throw load_error{"generate must be a boolean"};
    c.generate = v.flag;
  }
  if (const YAML::Node al = corr["aliases"]; al && !al.IsNull()) {
    if (!al.IsMap()) throw load_error{"aliases must be a map"};
    for (const auto& kv : al) {
      b.spend();
      if (!kv.first.IsScalar() || !kv.second.IsMap())
        throw load_error{"aliases entries must map rule names to fields"};
      auto& m = c.aliases[kv.first.Scalar()];
      for (const auto& rk : kv.second) {
        b.spend();
        if (!rk.first.IsScalar() || !rk.second.IsScalar())
          throw load_error{"aliases entries must map rule names to fields"};
        m[rk.first.Scalar()] = rk.second.Scalar();
      }
    }
  }
  const YAML::Node cond = corr["condition"];
  if (cond && cond.IsMap()) {
    for (const auto& kv : cond) {
      b.spend();
      if (!kv.first.IsScalar()) throw load_error{"correlation condition key is not a string"};
      const std::string k = kv.first.Scalar();
      if (k == "field") {
        if (!kv.second.IsScalar()) throw load_error{"condition field must be a string"};
        c.condition.field = kv.second.Scalar();
        continue;
      }
      compare_op op;
      if (k == "gt")
        op = compare_op::gt;
      else if (k == "gte")
        op = compare_op::gte;
      else if (k == "lt")
        op = compare_op::lt;
      else if (k == "lte")
        op = compare_op::lte;
      else if (k == "eq")
        op = compare_op::eq;
      else if (k == "neq")
        op = compare_op::neq;
      else
        throw load_error{"correlation condition '" + k + "' is not supported"};
      const auto v = kv.second.IsScalar() ? to_value(kv.second) : rule_value{};
      if (v.k != rule_value::kind::number)
        throw load_error{"correlation condition '" + k + "' needs a number"};
      c.condition.terms.emplace_back(op, v.number);
    }
  } else if (cond && !cond.IsNull()) {
    throw load_error{"correlation condition must be a map (extended conditions unsupported)"};
  }
  const bool temporal =
      c.type == correlation_type::temporal || c.type == correlation_type::temporal_ordered;
  if (c.condition.terms.empty()) {
    if (!temporal) throw load_error{"correlation needs a condition"};
    c.condition.terms.emplace_back(compare_op::gte, static_cast<double>(c.rule_refs.size()));
  }
  if (c.condition.terms.size() > 2) throw load_error{"correlation condition has too many terms"};
  if (c.type == correlation_type::value_count && c.condition.field.empty())
    throw load_error{"value_count needs condition.field"};
}

std::string doc_label(const YAML::Node& doc, std::size_t index) {
  if (doc.IsMap()) {
    for (const char* k : {"id", "name", "title"}) {
      const YAML::Node n = doc[k];
      if (n && n.IsScalar() && !n.Scalar().empty()) return n.Scalar();
    }
  }
  return "document " + std::to_string(index + 1);
}

}  // namespace

std::int64_t parse_timespan(std::string_view t) {
  if (t.size() < 2) return 0;
  const char unit = t.back();
  std::int64_t n = 0;
  auto r = std::from_chars(t.data(), t.data() + t.size() - 1, n);
  if (r.ec != std::errc() || r.ptr != t.data() + t.size() - 1 || n <= 0) return 0;
  std::int64_t sec = 0;
  switch (unit) {
    case 's':
      sec = 1;
      break;
    case 'm':
      sec = 60;
      break;
    case 'h':
      sec = 3600;
      break;
    case 'd':
      sec = 86400;
      break;
    case 'w':
      sec = 7 * 86400;
      break;
    case 'M':
      sec = 2629800;
      break;  // 30.44 days
    case 'y':
      sec = 31557600;
      break;
    default:
      return 0;
  }
  if (n > (std::int64_t{1} << 62) / (sec * 1000000000LL)) return 0;
  return n * sec * 1000000000LL;
}

void load_yaml_text(std::string_view text, std::string_view file, const load_options& opts,
                    field_registry& fields, loaded_documents& out) {
  auto reject_file = [&](std::string reason) {
    out.rejected.push_back({std::string(file), "", std::move(reason)});
  };
  if (text.size() > opts.max_file_bytes) {
    reject_file("file larger than " + std::to_string(opts.max_file_bytes) + " bytes");
    return;
  }
  if (text.find('\0') != std::string_view::npos || !util::is_valid_utf8(text)) {
    reject_file("not UTF-8 text");
    return;
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const std::exception& e) {
    reject_file(std::string("YAML error: ") + e.what());
    return;
  }
  compile_context ctx{&fields, &opts.placeholders};
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const YAML::Node& doc = docs[i];
    if (!doc.IsDefined() || doc.IsNull()) continue;  // empty document (trailing ---)
    std::string label;
    try {
      label = doc_label(doc, i);
      if (!doc.IsMap()) throw load_error{"document is not a map"};
      budget b{opts.max_yaml_nodes};
      if (doc["correlation"]) {
        correlation_rule c;
        read_info(doc, file, c.info, b);
        load_correlation(doc, c, b);
        out.correlations.push_back(std::move(c));
      } else if (doc["filter"]) {
        filter_rule f;
        read_info(doc, file, f.info, b);
        const YAML::Node body = doc["filter"];
        if (!body.IsMap()) throw load_error{"filter must be a map"};
        if (const YAML::Node r = body["rules"]; r && !r.IsNull()) {
          f.rule_refs = string_list(r, b, "filter rules");
          if (f.rule_refs.size() == 1 && f.rule_refs[0] == "any") f.rule_refs.clear();
        }
        f.det = compile_detection(body, ctx, b, true);
        out.filters.push_back(std::move(f));
      } else if (doc["detection"]) {
        detection_rule r;
        read_info(doc, file, r.info, b);
        r.det = std::move(*compile_detection(doc["detection"], ctx, b, false));
        out.rules.push_back(std::move(r));
      } else {
        throw load_error{"document has no detection, correlation or filter"};
      }
    } catch (const load_error& e) {
      out.rejected.push_back({std::string(file), label, e.reason});
    } catch (const std::exception& e) {
      out.rejected.push_back({std::string(file), label, std::string("invalid rule: ") + e.what()});
    }
  }
}

}  // namespace seerflow::rules
