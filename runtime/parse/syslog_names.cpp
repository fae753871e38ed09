#include "runtime/parse/syslog_names.hpp"

#include <array>
#include <cstddef>

namespace seerflow::parse {

namespace {

constexpr std::array<std::string_view, 24> facilities = {
    "kern",   "user",   "mail",     "daemon", "auth",   "syslog", "lpr",    "news",
    "uucp",   "cron",   "authpriv", "ftp",    "ntp",    "audit",  "alert",  "clock",
    "local0", "local1", "local2",   "local3", "local4", "local5", "local6", "local7"};

constexpr std::array<std::string_view, 8> severities = {"emerg",   "alert",  "crit", "err",
                                                        "warning", "notice", "info", "debug"};

struct level_word {
  std::string_view word;
  int severity;
};

// The three-letter forms are Serilog's compact levels (FTL, ERR, WRN, INF, DBG, VRB).
constexpr level_word level_words[] = {
    {"emerg", 0},    {"emergency", 0}, {"panic", 0},       {"alert", 1},         {"crit", 2},
    {"critical", 2}, {"fatal", 2},     {"ftl", 2},         {"err", 3},           {"error", 3},
    {"severe", 3},   {"warning", 4},   {"warn", 4},        {"wrn", 4},           {"notice", 5},
    {"info", 6},     {"inf", 6},       {"information", 6}, {"informational", 6}, {"debug", 7},
    {"dbg", 7},      {"trace", 7},     {"verbose", 7},     {"vrb", 7},
};

bool iequals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view facility_name(int facility) {
  if (facility < 0 || facility >= static_cast<int>(facilities.size())) return {};
  return facilities[static_cast<std::size_t>(facility)];
}

std::string_view severity_name(int severity) {
  if (severity < 0 || severity >= static_cast<int>(severities.size())) return {};
  return severities[static_cast<std::size_t>(severity)];
}

int facility_from_text(std::string_view text) {
  for (std::size_t i = 0; i < facilities.size(); ++i)
    if (iequals(text, facilities[i])) return static_cast<int>(i);
  return -1;
}

int severity_from_text(std::string_view text) {
  for (const auto& w : level_words)
    if (iequals(text, w.word)) return w.severity;
  return -1;
}

}  // namespace seerflow::parse
