#pragma once
// A pull reader over JSON text for the OTLP/JSON decoder: it walks the text once, left to right,
// and hands out each value where it stands (string values as views into the text when they have
// no escapes), so a request becomes protobuf messages without a document tree in between.
//
// Two kinds of trouble, two exception types (both stay inside runtime/otlp):
//   json_syntax_error  the text is not JSON (RFC 8259: strict grammar, UTF-8 only, no lone
//                      surrogates, nothing after the value) or nests deeper than max_depth
//                      ("too_deep"); the request fails as a whole
//   json_type_error    JSON, but not what OTLP puts there; the decoder decides whether that
//                      costs one log record or the request
// A caller that catches a json_type_error mid-value goes back with rewind() and skip_value(), so
// the rest of the text is still checked (a syntax error anywhere always wins).
#include <cstddef>
#include <string>
#include <string_view>

namespace seerflow::otlp {

struct json_syntax_error {
  std::string reason;  // "bad_json" or "too_deep"
  std::string detail;
};

struct json_type_error {
  std::string reason;  // empty: the caller's default ("bad_json", "bad_record")
  std::string detail;
};

[[noreturn]] inline void type_error(std::string detail, std::string reason = {}) {
  throw json_type_error{std::move(reason), std::move(detail)};
}

class json_reader {
 public:
  enum class kind { object, array, string, number, boolean, null };

  json_reader(std::string_view text, int max_depth)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        max_depth_(max_depth) {}

  // The kind of the next value (whitespace skipped); a syntax error when no value can start here.
  kind next();
  // Consumes a null if one is next.
  bool null();

  // Calls member(key) for each member of the object that is next; `member` consumes the value
  // (reading it or skip_value()). `key` is only valid until the value is read.
  template <class Member>
  void object(const char* what, Member&& member);
  // Calls element() for each element of the array that is next; `element` consumes it.
  template <class Element>
  void array(const char* what, Element&& element);

  // The string that is next (escapes decoded); valid until the next string is read.
  std::string_view string(const char* what);
  // The number that is next, as its text; `integral` is false when it has a fraction or exponent.
  std::string_view number(bool& integral);
  bool boolean(const char* what);

  // Consumes the next value whatever it is, checking its syntax.
  void skip_value();
  // After the top-level value: nothing but whitespace may follow.
  void finish();

  const char* position() const { return p_; }
  int depth() const { return depth_; }
  void rewind(const char* to, int depth) {
    p_ = to;
    depth_ = depth;
  }
  void rewind_to_start() { rewind(begin_, 0); }

 private:
  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  [[noreturn]] void syntax(const char* what) const;
  void expect(char c, const char* what);
  void enter();
  void leave() { --depth_; }
  // Reads the string whose opening quote is at p_; a view into the text or into scratch_.
  std::string_view read_string();
  void literal(std::string_view word);

  const char* begin_;
  const char* p_;
  const char* end_;
  int depth_ = 0;
  const int max_depth_;
  std::string scratch_;
};

template <class Member>
void json_reader::object(const char* what, Member&& member) {
  if (next() != kind::object) type_error(std::string(what) + ": expected an object");
  enter();
  ++p_;
  ws();
  if (p_ < end_ && *p_ == '}') {
    ++p_;
    leave();
    return;
  }
  for (;;) {
    ws();
    if (p_ >= end_ || *p_ != '"') syntax("a member name");
    const std::string_view key = read_string();
    expect(':', "':' after a member name");
    member(key);
    ws();
    if (p_ < end_ && *p_ == ',') {
      ++p_;
      continue;
    }
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      break;
    }
    syntax("',' or '}'");
  }
  leave();
}

template <class Element>
void json_reader::array(const char* what, Element&& element) {
  if (next() != kind::array) type_error(std::string(what) + ": expected an array");
  enter();
  ++p_;
  ws();
  if (p_ < end_ && *p_ == ']') {
    ++p_;
    leave();
    return;
  }
  for (;;) {
    element();
    ws();
    if (p_ < end_ && *p_ == ',') {
      ++p_;
      continue;
    }
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      break;
    }
    syntax("',' or ']'");
  }
  leave();
}

}  // namespace seerflow::otlp
