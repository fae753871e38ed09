#pragma once
// A strict RFC 8259 reader that turns one JSON object into flat (key, value) members without
// building a tree: nested objects become dotted keys, arrays compact JSON text. Hand-written
// because it is on the per-record path of JSON lines input (several times nlohmann's SAX speed).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model/event.hpp"

namespace seerflow::parse {

enum class json_kind : std::uint8_t { string, number, boolean, null, composite };

class json_flattener {
 public:
  static constexpr int max_depth = 64;

  // Parses `text` (an optional UTF-8 BOM, then one JSON value with blanks around it). On success
  // `members` and `kinds` hold the object's members in document order: strings unescaped,
  // numbers as written, true/false/null as such, arrays as compact JSON, an empty object as "{}".
  // On failure returns false with error_reason "bad_json" (error_detail "at byte N: ...", N the
  // 0-based offset where the text stops being JSON), "not_object" or "too_deep" (nesting over
  // max_depth, counting the outer object). `text` must be valid UTF-8. Numbers are checked
  // against the RFC grammar and kept as written, so 1e400 is accepted (nlohmann refuses it).
  bool flatten(std::string_view text);

  std::vector<model::field> members;
  std::vector<json_kind> kinds;
  std::string_view error_reason;
  std::string error_detail;

 private:
  bool object(bool& empty);
  bool member_value();
  bool capture_value();
  bool string(std::string& out);
  bool scalar(std::string_view& lexeme, json_kind& kind);
  bool number(std::string_view& lexeme);
  void skip_blanks();
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool enter();
  bool syntax(const char* what);
  void emit(std::string&& value, json_kind kind);

  std::string_view s_;
  std::size_t i_ = 0;
  int depth_ = 0;
  std::string path_;     // key of the current member, parents joined with '.'
  std::string capture_;  // compact JSON of the array being captured
  std::string scratch_;  // a string token, consumed before the next one is read
};

}  // namespace seerflow::parse
