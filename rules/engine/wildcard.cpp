#include "rules/engine/wildcard.hpp"

#include "rules/engine/case_fold.hpp"

namespace seerflow::rules {

void push_literal(sigma_string& s, std::string_view text) {
  if (text.empty()) return;
  if (!s.empty() && s.back().k == sigma_token::kind::literal) {
    s.back().text.append(text);
  } else {
    s.push_back({sigma_token::kind::literal, std::string(text)});
  }
}

void push_star(sigma_string& s) {
  if (!s.empty() && s.back().k == sigma_token::kind::star) return;
  s.push_back({sigma_token::kind::star, {}});
}

void prepend_star(sigma_string& s) {
  if (!s.empty() && s.front().k == sigma_token::kind::star) return;
  s.insert(s.begin(), sigma_token{sigma_token::kind::star, {}});
}

sigma_string parse_sigma_string(std::string_view t) {
  sigma_string out;
  std::string lit;
  auto flush = [&] {
    push_literal(out, lit);
    lit.clear();
  };
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\\') {
      if (i + 1 < t.size() && (t[i + 1] == '*' || t[i + 1] == '?' || t[i + 1] == '\\')) {
        lit.push_back(t[i + 1]);
        ++i;
      } else {
        lit.push_back('\\');
      }
    } else if (c == '*') {
      flush();
      push_star(out);
    } else if (c == '?') {
      flush();
      out.push_back({sigma_token::kind::one, {}});
    } else {
      lit.push_back(c);
    }
  }
  flush();
  return out;
}

sigma_string literal_sigma_string(std::string_view text) {
  sigma_string out;
  push_literal(out, text);
  return out;
}

bool has_wildcards(const sigma_string& s) {
  for (const auto& t : s)
    if (t.k != sigma_token::kind::literal) return true;
  return false;
}

std::string literal_text(const sigma_string& s) {
  std::string out;
  for (const auto& t : s)
    if (t.k == sigma_token::kind::literal) out += t.text;
  return out;
}

string_pattern string_pattern::compile(const sigma_string& s, bool cased) {
  string_pattern p;
  p.cased_ = cased;
  for (const auto& t : s) {
    if (t.k == sigma_token::kind::literal) {
      push_literal(p.toks_, cased ? t.text : fold_case(t.text));
    } else if (t.k == sigma_token::kind::star) {
      push_star(p.toks_);
    } else {
      p.toks_.push_back(t);
    }
  }
  using K = sigma_token::kind;
  const auto& k = p.toks_;
  auto is = [&](std::size_t i, K kind) { return k[i].k == kind; };
  if (k.empty()) {
    p.shape_ = shape::exact;
  } else if (k.size() == 1 && is(0, K::literal)) {
    p.shape_ = shape::exact;
    p.lit_ = k[0].text;
  } else if (k.size() == 1 && is(0, K::star)) {
    p.shape_ = shape::any;
  } else if (k.size() == 2 && is(0, K::literal) && is(1, K::star)) {
    p.shape_ = shape::prefix;
    p.lit_ = k[0].text;
  } else if (k.size() == 2 && is(0, K::star) && is(1, K::literal)) {
    p.shape_ = shape::suffix;
    p.lit_ = k[1].text;
  } else if (k.size() == 3 && is(0, K::star) && is(1, K::literal) && is(2, K::star)) {
    p.shape_ = shape::contains;
    p.lit_ = k[1].text;
  } else {
    p.shape_ = shape::glob;
  }
  p.set_words();
  return p;
}

std::string string_pattern::example() const {
  std::string out;
  for (const auto& t : toks_) {
    if (t.k == sigma_token::kind::literal) out += t.text;
    if (t.k == sigma_token::kind::one) out += 'x';
  }
  return out;
}

namespace {

// How common a byte is in log text (lower is rarer): the search for a literal looks for its
// rarest byte, so a literal such as "t(org.apache" does not stop at every 't'.
int byte_rank(unsigned char c) {
  static constexpr std::string_view by_frequency = " etaoinsrlcdhu/.mp0-1g2fb:3=4w5v6y7_8k9x\\jqz,";
  const auto at = by_frequency.find(static_cast<char>(c));
  return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

}  // namespace

void string_pattern::set_words() {
  rare_ = 0;
  for (std::size_t i = 1; i < lit_.size(); ++i)
    if (byte_rank(static_cast<unsigned char>(lit_[i])) <
        byte_rank(static_cast<unsigned char>(lit_[rare_])))
      rare_ = i;
  k8_ = lit_.size() < 8 ? lit_.size() : 8;
  head8_ = tail8_ = 0;
  std::memcpy(&head8_, lit_.data(), k8_);
  std::memcpy(&tail8_, lit_.data() + lit_.size() - k8_, k8_);
}

std::vector<std::string> string_pattern::required_literals() const {
  std::vector<std::string> out;
  for (const auto& t : toks_)
    if (t.k == sigma_token::kind::literal) out.push_back(cased_ ? fold_case(t.text) : t.text);
  return out;
}

std::string string_pattern::required_prefix() const {
  if (toks_.empty() || toks_.front().k != sigma_token::kind::literal) return {};
  return cased_ ? fold_case(toks_.front().text) : toks_.front().text;
}

std::string string_pattern::required_suffix() const {
  if (toks_.empty() || toks_.back().k != sigma_token::kind::literal) return {};
  return cased_ ? fold_case(toks_.back().text) : toks_.back().text;
}

bool string_pattern::contains_call(std::string_view v) const {
  return contains(v);
}

bool string_pattern::glob_match(std::string_view v) const {
  // Iterative wildcard match: on a mismatch, retry from the last `*` one code point further.
  std::size_t ti = 0, si = 0;
  std::size_t star_ti = std::string::npos, star_si = 0;
  const std::size_t tn = toks_.size();
  while (true) {
    if (ti < tn) {
      const auto& t = toks_[ti];
      if (t.k == sigma_token::kind::star) {
        star_ti = ti++;
        star_si = si;
        if (ti == tn) return true;  // a trailing `*` accepts any rest
        // A literal after `*` can jump straight to its next occurrence.
        if (ti < tn && toks_[ti].k == sigma_token::kind::literal) {
          const auto pos = v.find(toks_[ti].text, si);
          if (pos == std::string_view::npos) return false;
          star_si = pos;
          si = pos;
        }
        continue;
      }
      if (t.k == sigma_token::kind::literal) {
        if (v.substr(si).starts_with(t.text)) {
          si += t.text.size();
          ++ti;
          continue;
        }
      } else if (si < v.size()) {
        si += utf8_seq_len(static_cast<unsigned char>(v[si]));
        if (si > v.size()) si = v.size();
        ++ti;
        continue;
      }
    } else if (si >= v.size()) {
      return true;
    }
    if (star_ti == std::string::npos || star_si >= v.size()) return false;
    star_si += utf8_seq_len(static_cast<unsigned char>(v[star_si]));
    if (star_si > v.size()) star_si = v.size();
    si = star_si;
    ti = star_ti + 1;
    if (ti < tn && toks_[ti].k == sigma_token::kind::literal) {
      const auto pos = v.find(toks_[ti].text, si);
      if (pos == std::string_view::npos) return false;
      star_si = si = pos;
    }
  }
}

}  // namespace seerflow::rules
