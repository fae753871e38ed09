#pragma once
// How one event field is taken from a payload record: a JSON path ("sender.login"), or a
// template when the spec holds braces ("{action} by {sender.login}": literal text with paths in
// braces; "{{" and "}}" are literal braces). Templates cost one pass over the spec per record.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "runtime/webhook/json_path.hpp"

namespace seerflow::webhook {

// The text of a JSON value as an event field holds it: strings as they are, numbers and
// booleans as written, null as nothing, objects and arrays as compact JSON. At most `max_bytes`
// bytes are kept; NUL characters become U+FFFD so C-string consumers see the whole value.
std::string value_text(const nlohmann::json& v, std::size_t max_bytes);

class value_spec {
 public:
  // nullopt with `error` for a bad path, an unclosed or empty brace.
  static std::optional<value_spec> parse(std::string_view spec, std::string& error);

  // The rendered value; nullopt when the path is missing or null (a template: when every path in
  // it is missing; missing paths render as nothing).
  std::optional<std::string> render(const nlohmann::json& record, std::size_t max_bytes) const;

  // The JSON value itself for a plain path (nullptr for templates or a missing path).
  const nlohmann::json* resolve(const nlohmann::json& record) const;

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<std::variant<std::string, json_path>> parts_;  // one json_path: a plain path
  bool is_template_ = false;
};

}  // namespace seerflow::webhook
