#pragma once
// Sigma string values: backslash escaping, `*` and `?` wildcards, and the compiled pattern that
// matches one event value. Patterns are classified (exact, prefix, suffix, contains, any, glob)
// so the common shapes cost one memcmp or one substring search.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace seerflow::rules {

struct sigma_token {
  enum class kind : std::uint8_t { literal, star, one };
  kind k = kind::literal;
  std::string text;  // bytes of a literal token
};

// A parsed Sigma string: literals and wildcards. Adjacent literals are merged.
using sigma_string = std::vector<sigma_token>;

// Applies the escape rules: `\*`, `\?`, `\\` escape; any other backslash is literal.
sigma_string parse_sigma_string(std::string_view text);
// A string with no wildcard processing (values from `re`, config text).
sigma_string literal_sigma_string(std::string_view text);
bool has_wildcards(const sigma_string& s);
std::string literal_text(const sigma_string& s);  // concatenated literals (wildcards dropped)
void push_literal(sigma_string& s, std::string_view text);
void push_star(sigma_string& s);
void prepend_star(sigma_string& s);

class string_pattern {
 public:
  enum class shape : std::uint8_t { exact, prefix, suffix, contains, any, glob };

  static string_pattern compile(const sigma_string& s, bool cased);

  // `raw` is the event value, `folded` its case folding; cased patterns use raw.
  // Inline at every test (the call cost as much as the common shapes' compare); the searches
  // stay out of line.
  [[gnu::always_inline]] bool match(std::string_view raw, std::string_view folded) const {
    const std::string_view v = cased_ ? raw : folded;
    switch (shape_) {
      case shape::exact:
        return v == lit_;
      case shape::prefix:
        if (v.size() < lit_.size() || load8(v.data()) != head8_) return false;
        return lit_.size() <= 8 || std::memcmp(v.data(), lit_.data(), lit_.size()) == 0;
      case shape::suffix:
        if (v.size() < lit_.size() || load8(v.data() + v.size() - k8_) != tail8_) return false;
        return lit_.size() <= 8 ||
               std::memcmp(v.data() + v.size() - lit_.size(), lit_.data(), lit_.size()) == 0;
      case shape::contains:
        return contains_call(v);
      case shape::any:
        return true;
      case shape::glob:
        return glob_match(v);
    }
    return false;
  }

  // For contains shapes: whether the literal occurs in `v` (which must be folded unless the
  // pattern is cased). Searches for the literal's least common byte, not its first one.
  bool contains(std::string_view v) const {
    const std::size_t n = lit_.size();
    if (v.size() < n) return false;
    if (n == 0) return true;
    const char* first = v.data() + rare_;
    const char* last = v.data() + (v.size() - n) + rare_;
    while (first <= last) {
      const auto* q = static_cast<const char*>(
          std::memchr(first, lit_[rare_], static_cast<std::size_t>(last - first) + 1));
      if (!q) return false;
      if (std::memcmp(q - rare_, lit_.data(), n) == 0) return true;
      first = q + 1;
    }
    return false;
  }

  // Folded literal fragments, each of which must occur in any value this pattern matches.
  std::vector<std::string> required_literals() const;
  // Folded literal the value must start with / end with (empty when the pattern starts or ends
  // with a wildcard); for exact patterns both are the whole value.
  std::string required_prefix() const;
  std::string required_suffix() const;
  shape kind() const { return shape_; }
  // The literal of exact/prefix/suffix/contains shapes (folded unless cased).
  const std::string& literal() const { return lit_; }
  // A value this pattern matches (wildcards filled minimally), for tests and examples.
  std::string example() const;
  bool cased() const { return cased_; }

 private:
  bool glob_match(std::string_view v) const;
  bool contains_call(std::string_view v) const;
  // Up to 8 bytes as an integer: one compare rejects almost every non-matching value.
  std::uint64_t load8(const char* p) const {
    std::uint64_t x = 0;
    std::memcpy(&x, p, k8_);
    return x;
  }
  void set_words();

  std::uint64_t head8_ = 0, tail8_ = 0;
  std::size_t k8_ = 0;
  std::size_t rare_ = 0;  // offset of the literal's least common byte in log text

  shape shape_ = shape::exact;
  bool cased_ = false;
  std::string lit_;
  sigma_string toks_;
};

}  // namespace seerflow::rules
