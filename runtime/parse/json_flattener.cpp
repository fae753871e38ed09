#include "runtime/parse/json_flattener.hpp"

namespace seerflow::parse {

namespace {

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A JSON string literal as nlohmann's dump writes it (no ensure_ascii).
void append_quoted(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out.append("\\u00");
          out.push_back(hex[(c >> 4) & 0xF]);
          out.push_back(hex[c & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

bool json_flattener::flatten(std::string_view text) {
  s_ = text;
  i_ = 0;
  depth_ = 0;
  members.clear();
  kinds.clear();
  path_.clear();
  error_reason = {};
  error_detail.clear();
  if (s_.substr(0, 3) == "\xEF\xBB\xBF") i_ = 3;
  skip_blanks();
  if (peek() != '{' || i_ >= s_.size()) {
    // Like a streaming parser: an array is known not to be an object at its '['; any other
    // value first has to be a valid token.
    std::string_view lexeme;
    json_kind kind;
    if (peek() != '[' && !scalar(lexeme, kind)) return false;
    error_reason = "not_object";
    error_detail = "the line is JSON but not an object";
    return false;
  }
  bool empty = false;
  if (!object(empty)) return false;
  skip_blanks();
  if (i_ != s_.size()) return syntax("unexpected text after the object");
  return true;
}

void json_flattener::skip_blanks() {
  while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
    ++i_;
}

bool json_flattener::enter() {
  if (++depth_ <= max_depth) return true;
  error_reason = "too_deep";
  error_detail = "JSON nests deeper than " + std::to_string(max_depth) + " levels";
  return false;
}

bool json_flattener::syntax(const char* what) {
  error_reason = "bad_json";
  error_detail = "at byte " + std::to_string(i_) + ": " + what;
  return false;
}

void json_flattener::emit(std::string&& value, json_kind kind) {
  members.push_back(model::field{path_, std::move(value)});
  kinds.push_back(kind);
}

bool json_flattener::object(bool& empty) {
  if (!enter()) return false;
  ++i_;  // '{'
  const std::size_t prefix = path_.size();
  skip_blanks();
  empty = peek() == '}' && i_ < s_.size();
  if (empty) {
    ++i_;
    --depth_;
    return true;
  }
  while (true) {
    if (peek() != '"' || i_ >= s_.size()) return syntax("expected a string key");
    if (!string(scratch_)) return false;
    path_.resize(prefix);
    path_.append(scratch_);
    skip_blanks();
    if (peek() != ':' || i_ >= s_.size()) return syntax("expected ':' after the key");
    ++i_;
    skip_blanks();
    if (!member_value()) return false;
    skip_blanks();
    if (i_ < s_.size() && s_[i_] == ',') {
      ++i_;
      skip_blanks();
      continue;
    }
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      break;
    }
    return syntax("expected ',' or '}'");
  }
  --depth_;
  return true;
}

bool json_flattener::member_value() {
  switch (peek()) {
    case '{': {
      const std::size_t len = path_.size();
      path_.push_back('.');
      bool empty = false;
      if (!object(empty)) return false;
      path_.resize(len);
      if (empty) emit(std::string("{}"), json_kind::composite);
      return true;
    }
    case '[':
      capture_.clear();
      if (!capture_value()) return false;
      emit(std::string(capture_), json_kind::composite);
      return true;
    case '"': {
      std::string value;
      if (!string(value)) return false;
      emit(std::move(value), json_kind::string);
      return true;
    }
    default: {
      std::string_view lexeme;
      json_kind kind;
      if (!scalar(lexeme, kind)) return false;
      emit(std::string(lexeme), kind);
      return true;
    }
  }
}

bool json_flattener::capture_value() {
  const char open = peek();
  if (open != '[' && open != '{') {
    if (open == '"') {
      if (!string(scratch_)) return false;
      append_quoted(capture_, scratch_);
      return true;
    }
    std::string_view lexeme;
    json_kind kind;
    if (!scalar(lexeme, kind)) return false;
    capture_.append(lexeme);
    return true;
  }
  if (!enter()) return false;
  const char close = open == '[' ? ']' : '}';
  capture_.push_back(open);
  ++i_;
  skip_blanks();
  if (peek() == close) {
    ++i_;
    capture_.push_back(close);
    --depth_;
    return true;
  }
  while (true) {
    if (open == '{') {
      if (peek() != '"') return syntax("expected a string key");
      if (!string(scratch_)) return false;
      append_quoted(capture_, scratch_);
      skip_blanks();
      if (peek() != ':') return syntax("expected ':' after the key");
      ++i_;
      capture_.push_back(':');
      skip_blanks();
    }
    if (!capture_value()) return false;
    skip_blanks();
    const char c = peek();
    if (c == ',' && i_ < s_.size()) {
      ++i_;
      capture_.push_back(',');
      skip_blanks();
      continue;
    }
    if (c == close && i_ < s_.size()) {
      ++i_;
      capture_.push_back(close);
      break;
    }
    return syntax(open == '[' ? "expected ',' or ']'" : "expected ',' or '}'");
  }
  --depth_;
  return true;
}

bool json_flattener::string(std::string& out) {
  ++i_;  // opening quote
  const std::size_t start = i_;
  // Fast path: no escapes, one copy.
  while (i_ < s_.size()) {
    const char c = s_[i_];
    if (c == '"') {
      out.assign(s_.substr(start, i_ - start));
      ++i_;
      return true;
    }
    if (c == '\\') break;
    if (static_cast<unsigned char>(c) < 0x20) return syntax("control character in a string");
    ++i_;
  }
  out.assign(s_.substr(start, i_ - start));
  while (i_ < s_.size()) {
    const char c = s_[i_];
    if (c == '"') {
      ++i_;
      return true;
    }
    if (static_cast<unsigned char>(c) < 0x20) return syntax("control character in a string");
    if (c != '\\') {
      out.push_back(c);
      ++i_;
      continue;
    }
    if (i_ + 1 >= s_.size()) break;
    const char e = s_[i_ + 1];
    switch (e) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '/':
        out.push_back('/');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        auto read_hex4 = [&](std::size_t at, std::uint32_t& v) {
          if (at + 4 > s_.size()) return false;
          v = 0;
          for (std::size_t k = 0; k < 4; ++k) {
            const int h = hex_value(s_[at + k]);
            if (h < 0) return false;
            v = v << 4 | static_cast<std::uint32_t>(h);
          }
          return true;
        };
        std::uint32_t cp = 0;
        if (!read_hex4(i_ + 2, cp)) return syntax("\\u needs four hex digits");
        if (cp >= 0xDC00 && cp <= 0xDFFF) return syntax("lone low surrogate");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t low = 0;
          if (s_.substr(i_ + 6, 2) != "\\u" || !read_hex4(i_ + 8, low) || low < 0xDC00 ||
              low > 0xDFFF)
            return syntax("high surrogate without a low surrogate");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i_ += 6;
        }
        append_utf8(out, cp);
        i_ += 4;
        break;
      }
      default:
        return syntax("invalid escape in a string");
    }
    i_ += 2;
  }
  return syntax("unterminated string");
}

bool json_flattener::number(std::string_view& lexeme) {
  const std::size_t start = i_;
  if (peek() == '-') ++i_;
  if (peek() == '0') {
    ++i_;
  } else if (is_digit(peek()) && i_ < s_.size()) {
    while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
  } else {
    return syntax("invalid number");
  }
  if (peek() == '.') {
    ++i_;
    if (!is_digit(peek()) || i_ >= s_.size()) return syntax("invalid number");
    while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
  }
  if (peek() == 'e' || peek() == 'E') {
    ++i_;
    if (peek() == '+' || peek() == '-') ++i_;
    if (!is_digit(peek()) || i_ >= s_.size()) return syntax("invalid number");
    while (i_ < s_.size() && is_digit(s_[i_])) ++i_;
  }
  lexeme = s_.substr(start, i_ - start);
  return true;
}

bool json_flattener::scalar(std::string_view& lexeme, json_kind& kind) {
  const char c = peek();
  if (c == '"') {
    if (!string(scratch_)) return false;
    lexeme = scratch_;
    kind = json_kind::string;
    return true;
  }
  for (const auto& [word, k] : {std::pair<std::string_view, json_kind>{"true", json_kind::boolean},
                                {"false", json_kind::boolean},
                                {"null", json_kind::null}}) {
    if (c == word[0]) {
      if (s_.substr(i_, word.size()) != word) return syntax("invalid literal");
      lexeme = s_.substr(i_, word.size());
      i_ += word.size();
      kind = k;
      return true;
    }
  }
  if (c == '-' || is_digit(c)) {
    kind = json_kind::number;
    return number(lexeme);
  }
  return syntax(i_ >= s_.size() ? "unexpected end of input" : "expected a value");
}

}  // namespace seerflow::parse
