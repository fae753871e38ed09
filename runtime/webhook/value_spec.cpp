#include "runtime/webhook/value_spec.hpp"

#include <nlohmann/json.hpp>

namespace seerflow::webhook {

namespace {

void append_bounded(std::string& out, std::string_view s, std::size_t max_bytes) {
  if (out.size() >= max_bytes) return;
  out.append(s.substr(0, max_bytes - out.size()));
}

void replace_nul(std::string& s) {
  if (s.find('\0') == std::string::npos) return;
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    if (c == '\0')
      out += "\xEF\xBF\xBD";
    else
      out += c;
  }
  s = std::move(out);
}

}  // namespace

std::string value_text(const nlohmann::json& v, std::size_t max_bytes) {
  std::string out;
  if (v.is_null()) return out;
  if (v.is_string()) {
    append_bounded(out, v.get_ref<const std::string&>(), max_bytes);
  } else {
    // Invalid UTF-8 cannot occur (the parser refused it), so dump cannot throw on it; `replace`
    // keeps this total anyway.
    append_bounded(out, v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                   max_bytes);
  }
  replace_nul(out);
  return out;
}

std::optional<value_spec> value_spec::parse(std::string_view spec, std::string& error) {
  value_spec v;
  v.text_.assign(spec);
  if (spec.find('{') == std::string_view::npos && spec.find('}') == std::string_view::npos) {
    auto p = json_path::parse(spec, error);
    if (!p) return std::nullopt;
    v.parts_.emplace_back(std::move(*p));
    return v;
  }
  v.is_template_ = true;
  std::string lit;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    const char c = spec[i];
    if ((c == '{' || c == '}') && i + 1 < spec.size() && spec[i + 1] == c) {
      lit += c;
      ++i;
      continue;
    }
    if (c == '}') {
      error = "unmatched '}' in template '" + v.text_ + "' (write }} for a literal brace)";
      return std::nullopt;
    }
    if (c != '{') {
      lit += c;
      continue;
    }
    const auto close = spec.find('}', i + 1);
    if (close == std::string_view::npos) {
      error = "unclosed '{' in template '" + v.text_ + "'";
      return std::nullopt;
    }
    auto p = json_path::parse(spec.substr(i + 1, close - i - 1), error);
    if (!p) {
      error = "in template '" + v.text_ + "': " + error;
      return std::nullopt;
    }
    if (!lit.empty()) v.parts_.emplace_back(std::move(lit));
    lit.clear();
    v.parts_.emplace_back(std::move(*p));
    i = close;
  }
  if (!lit.empty()) v.parts_.emplace_back(std::move(lit));
  return v;
}

const nlohmann::json* value_spec::resolve(const nlohmann::json& record) const {
  if (is_template_ || parts_.size() != 1) return nullptr;
  return std::get<json_path>(parts_.front()).resolve(record);
}

std::optional<std::string> value_spec::render(const nlohmann::json& record,
                                              std::size_t max_bytes) const {
  if (!is_template_) {
    const auto* v = resolve(record);
    if (v == nullptr || v->is_null()) return std::nullopt;
    return value_text(*v, max_bytes);
  }
  std::string out;
  bool found = false;
  for (const auto& part : parts_) {
    if (const auto* lit = std::get_if<std::string>(&part)) {
      append_bounded(out, *lit, max_bytes);
      continue;
    }
    const auto* v = std::get<json_path>(part).resolve(record);
    if (v == nullptr || v->is_null()) continue;
    found = true;
    append_bounded(out, value_text(*v, max_bytes), max_bytes);
  }
  if (!found) return std::nullopt;
  return out;
}

}  // namespace seerflow::webhook
