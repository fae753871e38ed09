#include "runtime/config/interpolate.hpp"

namespace seerflow::config {
namespace {

bool valid_variable_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (digit && i > 0))) return false;
  }
  return true;
}

}  // namespace

bool interpolate(std::string_view text, const env_lookup& env, std::string& out,
                 std::vector<std::string>& errors) {
  out.clear();
  if (text.find('$') == std::string_view::npos) {
    out.assign(text);
    return true;
  }
  const std::size_t errors_before = errors.size();
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$') {
      out.push_back(c);
      ++i;
      continue;
    }
    if (text.substr(i, 3) == "$${") {
      out += "${";
      i += 3;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out.push_back(c);
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      errors.push_back("unterminated '${' (write '$${' for a literal '${')");
      break;
    }
    const std::string_view body = text.substr(i + 2, close - (i + 2));
    const std::size_t sep = body.find(":-");
    const std::string_view name = body.substr(0, sep);
    i = close + 1;
    if (!valid_variable_name(name)) {
      errors.push_back("invalid environment variable name '" + std::string(name) + "' in '${" +
                       std::string(body) + "}' (names are letters, digits and '_')");
      continue;
    }
    const std::optional<std::string> value = env ? env(std::string(name)) : std::nullopt;
    if (sep != std::string_view::npos) {
      if (value && !value->empty()) {
        out += *value;
      } else {
        out += body.substr(sep + 2);
      }
    } else if (value) {
      out += *value;
    } else {
      errors.push_back("environment variable " + std::string(name) + " is not set (write ${" +
                       std::string(name) + ":-default} to give a fallback)");
    }
  }
  return errors.size() == errors_before;
}

std::string escape_interpolation(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') out.push_back('$');
    out.push_back(text[i]);
  }
  return out;
}

}  // namespace seerflow::config
