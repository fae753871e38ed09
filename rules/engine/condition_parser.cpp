#include "rules/engine/condition_parser.hpp"

namespace seerflow::rules {

namespace {

constexpr std::uint32_t absent = no_field;  // an `x of` that selected nothing

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '*' || c == '.';
}

bool pattern_match(std::string_view pat, std::string_view s) {
  // `*` only; anchored at both ends.
  std::size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (p < pat.size() && pat[p] == s[i]) {
      ++p;
      ++i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

class parser {
 public:
  parser(std::string_view text, const std::vector<std::string>& ids, condition_tree& out)
      : ids_(ids), out_(out) {
    tokenize(text);
  }

  bool run(std::string& error) {
    if (!error_.empty()) {
      error = error_;
      return false;
    }
    if (toks_.empty()) {
      error = "empty condition";
      return false;
    }
    const auto root = or_expr();
    if (error_.empty() && pos_ != toks_.size())
      error_ = "unexpected '" + toks_[pos_] + "' in condition";
    if (!error_.empty()) {
      error = error_;
      return false;
    }
    out_.root = root;
    return true;
  }

 private:
  void tokenize(std::string_view t) {
    std::size_t i = 0;
    while (i < t.size()) {
      const char c = t[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
      } else if (c == '(' || c == ')') {
        toks_.emplace_back(1, c);
        ++i;
      } else if (c == '|') {
        error_ = "aggregation expressions ('|') are obsolete; use a correlation rule";
        return;
      } else if (word_char(c)) {
        std::size_t j = i;
        while (j < t.size() && word_char(t[j])) ++j;
        toks_.emplace_back(t.substr(i, j - i));
        i = j;
      } else {
        error_ = std::string("unexpected character '") + c + "' in condition";
        return;
      }
    }
  }

  bool at(std::string_view w) const { return pos_ < toks_.size() && toks_[pos_] == w; }

  std::uint32_t node(cond_node::op o, std::uint32_t a, std::uint32_t b = 0) {
    if (out_.nodes.size() >= 4096) {
      if (error_.empty()) error_ = "condition too large";
      return absent;
    }
    out_.nodes.push_back({o, a, b});
    return static_cast<std::uint32_t>(out_.nodes.size() - 1);
  }

  std::uint32_t combine(cond_node::op o, std::uint32_t a, std::uint32_t b) {
    if (a == absent) return b;
    if (b == absent) return a;
    return node(o, a, b);
  }

  std::uint32_t or_expr() {
    auto l = and_expr();
    while (error_.empty() && at("or")) {
      ++pos_;
      auto r = and_expr();
      l = combine(cond_node::op::or_, l, r);
    }
    return l;
  }

  std::uint32_t and_expr() {
    auto l = not_expr();
    while (error_.empty() && at("and")) {
      ++pos_;
      auto r = not_expr();
      l = combine(cond_node::op::and_, l, r);
    }
    return l;
  }

  std::uint32_t not_expr() {
    if (++depth_ > 64) {
      error_ = "condition nested too deeply";
      return absent;
    }
    std::uint32_t r;
    if (at("not")) {
      ++pos_;
      auto a = not_expr();
      r = a == absent ? absent : node(cond_node::op::not_, a);
    } else {
      r = primary();
    }
    --depth_;
    return r;
  }

  static bool is_keyword_upper(const std::string& w) {
    return w == "AND" || w == "OR" || w == "NOT" || w == "OF" || w == "THEM" || w == "ALL" ||
           w == "And" || w == "Or" || w == "Not";
  }

  std::uint32_t primary() {
    if (!error_.empty()) return absent;
    if (pos_ >= toks_.size()) {
      error_ = "condition ends unexpectedly";
      return absent;
    }
    const std::string& t = toks_[pos_];
    if (t == "(") {
      ++pos_;
      auto e = or_expr();
      if (!error_.empty()) return absent;
      if (!at(")")) {
        error_ = "missing ')' in condition";
        return absent;
      }
      ++pos_;
      return e;
    }
    if (t == ")" || t == "and" || t == "or" || t == "of" || t == "them") {
      error_ = "unexpected '" + t + "' in condition";
      return absent;
    }
    if ((t == "1" || t == "any" || t == "all") && pos_ + 1 < toks_.size() &&
        toks_[pos_ + 1] == "of") {
      const bool all = t == "all";
      pos_ += 2;
      if (pos_ >= toks_.size()) {
        error_ = "'of' needs an identifier pattern or 'them'";
        return absent;
      }
      const std::string& pat = toks_[pos_++];
      if (pat == "(" || pat == ")" || pat == "and" || pat == "or" || pat == "not") {
        error_ = "'of' needs an identifier pattern or 'them'";
        return absent;
      }
      std::uint32_t acc = absent;
      for (std::uint32_t i = 0; i < ids_.size(); ++i) {
        const std::string& id = ids_[i];
        const bool hidden = !id.empty() && id[0] == '_';
        const bool hit =
            pat == "them" ? !hidden : ((!hidden || pat[0] == '_') && pattern_match(pat, id));
        if (!hit) continue;
        const auto leaf = node(cond_node::op::ident, i);
        acc = combine(all ? cond_node::op::and_ : cond_node::op::or_, acc, leaf);
      }
      return acc;
    }
    if (t.find('*') != std::string::npos) {
      error_ = "wildcard '" + t + "' outside 'x of'";
      return absent;
    }
    for (std::uint32_t i = 0; i < ids_.size(); ++i) {
      if (ids_[i] == t) {
        ++pos_;
        return node(cond_node::op::ident, i);
      }
    }
    if (is_keyword_upper(t))
      error_ = "operator '" + t + "' must be lower-case";
    else
      error_ = "condition references undefined identifier '" + t + "'";
    return absent;
  }

  const std::vector<std::string>& ids_;
  condition_tree& out_;
  std::vector<std::string> toks_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
};

}  // namespace

bool parse_condition(std::string_view text, const std::vector<std::string>& identifiers,
                     condition_tree& out, std::string& error) {
  out = condition_tree{};
  if (text.size() > 64 * 1024) {
    error = "condition too long";
    return false;
  }
  parser p(text, identifiers, out);
  return p.run(error);
}

}  // namespace seerflow::rules
