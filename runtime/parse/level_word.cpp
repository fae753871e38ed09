#include "runtime/parse/level_word.hpp"

#include <cstddef>

namespace seerflow::parse {

namespace {

char upper(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

bool iequals_upper(std::string_view a, std::string_view upper_word) {
  if (a.size() != upper_word.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (upper(a[i]) != upper_word[i]) return false;
  return true;
}

int severity_of_word(std::string_view w) {
  // Dispatch on length first: most tokens are rejected without a comparison.
  switch (w.size()) {
    case 3:
      return iequals_upper(w, "ERR") ? 3 : -1;
    case 4:
      if (iequals_upper(w, "INFO")) return 6;
      if (iequals_upper(w, "WARN")) return 4;
      if (iequals_upper(w, "CRIT")) return 2;
      return -1;
    case 5:
      if (iequals_upper(w, "ERROR")) return 3;
      if (iequals_upper(w, "DEBUG")) return 7;
      if (iequals_upper(w, "TRACE")) return 7;
      if (iequals_upper(w, "FATAL")) return 2;
      return -1;
    case 6:
      return iequals_upper(w, "NOTICE") ? 5 : -1;
    case 7:
      return iequals_upper(w, "WARNING") ? 4 : -1;
    case 8:
      return iequals_upper(w, "CRITICAL") ? 2 : -1;
    default:
      return -1;
  }
}

std::string_view strip_token(std::string_view t) {
  // The longest candidate is "<CRITICAL>:" or "level=warning:"; longer tokens only matter when a
  // ':' cuts them early ("WARNING:root:disk full").
  const std::string_view head = t.substr(0, 16);
  if (const auto colon = head.find(':'); colon != std::string_view::npos) {
    t = t.substr(0, colon);
  } else if (t.size() > 15) {
    return {};
  }
  if (t.size() >= 2) {
    const char open = t.front(), close = t.back();
    if ((open == '[' && close == ']') || (open == '(' && close == ')') ||
        (open == '<' && close == '>'))
      t = t.substr(1, t.size() - 2);
  }
  if (t.empty() || (t.front() != 'l' && t.front() != 'L')) return t;
  for (std::string_view prefix : {"level=", "lvl=", "LEVEL=", "Level="}) {
    if (t.substr(0, prefix.size()) == prefix) {
      t.remove_prefix(prefix.size());
      if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
      break;
    }
  }
  return t;
}

}  // namespace

int find_level_word(std::string_view text, int max_tokens) {
  std::size_t i = 0;
  for (int token = 0; token < max_tokens; ++token) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '|')) ++i;
    if (i >= text.size()) return -1;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '|') ++j;
    const int sev = severity_of_word(strip_token(text.substr(i, j - i)));
    if (sev >= 0) return sev;
    i = j;
  }
  return -1;
}

}  // namespace seerflow::parse
