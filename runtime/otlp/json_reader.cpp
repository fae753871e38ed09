#include "runtime/otlp/json_reader.hpp"

#include <array>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace seerflow::otlp {
namespace {

// Bytes that end the plain run of a string: the closing quote, an escape, a control character
// (not allowed raw in JSON text) and any byte of a multi-byte UTF-8 sequence (checked apart).
constexpr std::array<bool, 256> string_stops = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = true;
  for (int c = 0x80; c < 0x100; ++c) t[static_cast<std::size_t>(c)] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}();

// Skips the plain bytes of a string run, sixteen at a time where SSE2 is there (every x86-64):
// a stop is a quote, a backslash, or a byte below 0x20 as a signed char, which takes in every
// byte from 0x80 as well.
const char* plain_run(const char* p, const char* end) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i stops =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                     _mm_cmplt_epi8(v, space));
    const auto mask = static_cast<unsigned>(_mm_movemask_epi8(stops));
    if (mask != 0) return p + __builtin_ctz(mask);
    p += 16;
  }
#endif
  while (p < end && !string_stops[static_cast<unsigned char>(*p)]) ++p;
  return p;
}

bool continuation(const char* p) {
  return (static_cast<unsigned char>(*p) & 0xC0) == 0x80;
}

// Length of the well-formed UTF-8 sequence starting at a byte >= 0x80, or 0 (RFC 3629: no
// overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(const char* p, const char* end) {
  const auto b0 = static_cast<unsigned char>(p[0]);
  const auto left = static_cast<std::size_t>(end - p);
  if (b0 >= 0xC2 && b0 <= 0xDF) return left >= 2 && continuation(p + 1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3 || !continuation(p + 1) || !continuation(p + 2)) return 0;
    const auto b1 = static_cast<unsigned char>(p[1]);
    if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
    if (b0 == 0xED && b1 >= 0xA0) return 0;  // a surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4 || !continuation(p + 1) || !continuation(p + 2) || !continuation(p + 3)) return 0;
    const auto b1 = static_cast<unsigned char>(p[1]);
    if (b0 == 0xF0 && b1 < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && b1 >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

void json_reader::syntax(const char* what) const {
  std::string detail = "not JSON at byte " + std::to_string(p_ - begin_) + ": expected " + what;
  if (p_ >= end_) detail += ", found the end of the text";
  throw json_syntax_error{"bad_json", std::move(detail)};
}

void json_reader::expect(char c, const char* what) {
  ws();
  if (p_ >= end_ || *p_ != c) syntax(what);
  ++p_;
}

void json_reader::enter() {
  if (++depth_ > max_depth_)
    throw json_syntax_error{"too_deep",
                            "JSON nested deeper than " + std::to_string(max_depth_) + " levels"};
}

void json_reader::literal(std::string_view word) {
  if (static_cast<std::size_t>(end_ - p_) < word.size() ||
      std::string_view(p_, word.size()) != word)
    syntax("true, false or null");
  p_ += word.size();
}

json_reader::kind json_reader::next() {
  ws();
  if (p_ >= end_) syntax("a value");
  switch (*p_) {
    case '{':
      return kind::object;
    case '[':
      return kind::array;
    case '"':
      return kind::string;
    case 't':
    case 'f':
      return kind::boolean;
    case 'n':
      return kind::null;
    default:
      if (*p_ == '-' || digit(*p_)) return kind::number;
      syntax("a value");
  }
}

bool json_reader::null() {
  if (next() != kind::null) return false;
  literal("null");
  return true;
}

std::string_view json_reader::read_string() {
  ++p_;  // the opening quote
  const char* const start = p_;
  // Most strings in OTLP/JSON have no escapes: they are returned as views into the text.
  for (;;) {
    p_ = plain_run(p_, end_);
    if (p_ >= end_) syntax("the closing '\"' of a string");
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      const std::string_view s(start, static_cast<std::size_t>(p_ - start));
      ++p_;
      return s;
    }
    if (c == '\\') break;
    if (c < 0x20) syntax("no raw control character in a string");
    const auto n = utf8_length(p_, end_);
    if (n == 0) syntax("valid UTF-8 in a string");
    p_ += n;
  }
  scratch_.assign(start, p_);
  for (;;) {
    const char* run = p_;
    p_ = plain_run(p_, end_);
    scratch_.append(run, p_);
    if (p_ >= end_) syntax("the closing '\"' of a string");
    const auto c = static_cast<unsigned char>(*p_);
    if (c == '"') {
      ++p_;
      return scratch_;
    }
    if (c < 0x20) syntax("no raw control character in a string");
    if (c >= 0x80) {
      const auto n = utf8_length(p_, end_);
      if (n == 0) syntax("valid UTF-8 in a string");
      scratch_.append(p_, n);
      p_ += n;
      continue;
    }
    // An escape.
    if (end_ - p_ < 2) syntax("an escape sequence");
    const char e = p_[1];
    p_ += 2;
    switch (e) {
      case '"':
      case '\\':
      case '/':
        scratch_ += e;
        break;
      case 'b':
        scratch_ += '\b';
        break;
      case 'f':
        scratch_ += '\f';
        break;
      case 'n':
        scratch_ += '\n';
        break;
      case 'r':
        scratch_ += '\r';
        break;
      case 't':
        scratch_ += '\t';
        break;
      case 'u': {
        auto hex4 = [&]() -> unsigned {
          if (end_ - p_ < 4) syntax("four hex digits after \\u");
          unsigned v = 0;
          for (int i = 0; i < 4; ++i) {
            const int d = hex_digit(p_[i]);
            if (d < 0) syntax("four hex digits after \\u");
            v = v << 4 | static_cast<unsigned>(d);
          }
          p_ += 4;
          return v;
        };
        unsigned cp = hex4();
        if (cp >= 0xDC00 && cp <= 0xDFFF) syntax("a high surrogate before a low one");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
            syntax("a low surrogate after a high one");
          p_ += 2;
          const unsigned low = hex4();
          if (low < 0xDC00 || low > 0xDFFF) syntax("a low surrogate after a high one");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        }
        append_utf8(scratch_, cp);
        break;
      }
      default:
        p_ -= 1;
        syntax("a valid escape character");
    }
  }
}

std::string_view json_reader::string(const char* what) {
  if (next() != kind::string) type_error(std::string(what) + ": expected a string");
  return read_string();
}

std::string_view json_reader::number(bool& integral) {
  ws();
  const char* const start = p_;
  integral = true;
  if (p_ < end_ && *p_ == '-') ++p_;
  if (p_ < end_ && *p_ == '0') {
    ++p_;
  } else if (p_ < end_ && digit(*p_)) {
    while (p_ < end_ && digit(*p_)) ++p_;
  } else {
    syntax("a digit");
  }
  if (p_ < end_ && *p_ == '.') {
    integral = false;
    ++p_;
    if (p_ >= end_ || !digit(*p_)) syntax("a digit after '.'");
    while (p_ < end_ && digit(*p_)) ++p_;
  }
  if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
    integral = false;
    ++p_;
    if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
    if (p_ >= end_ || !digit(*p_)) syntax("a digit in the exponent");
    while (p_ < end_ && digit(*p_)) ++p_;
  }
  return {start, static_cast<std::size_t>(p_ - start)};
}

bool json_reader::boolean(const char* what) {
  if (next() != kind::boolean) type_error(std::string(what) + ": expected true or false");
  if (*p_ == 't') {
    literal("true");
    return true;
  }
  literal("false");
  return false;
}

void json_reader::skip_value() {
  switch (next()) {
    case kind::object:
      object("", [this](std::string_view) { skip_value(); });
      return;
    case kind::array:
      array("", [this] { skip_value(); });
      return;
    case kind::string:
      read_string();
      return;
    case kind::number: {
      bool integral = false;
      number(integral);
      return;
    }
    case kind::boolean:
      literal(*p_ == 't' ? "true" : "false");
      return;
    case kind::null:
      literal("null");
      return;
  }
}

void json_reader::finish() {
  ws();
  if (p_ != end_) syntax("nothing after the request");
}

}  // namespace seerflow::otlp
