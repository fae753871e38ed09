#pragma once
// Syslog facility and severity codes as the keywords of RFC 5424 §6.2.1 and syslog.conf(5), and
// the level words applications write ("WARN", "error", "fatal") mapped onto syslog severities.
#include <string_view>

namespace seerflow::parse {

// "kern" .. "local7" for 0..23; empty for any other code.
std::string_view facility_name(int facility);

// "emerg" .. "debug" for 0..7; empty for any other code.
std::string_view severity_name(int severity);

// Inverse of facility_name (ASCII case-insensitive); -1 if unknown.
int facility_from_text(std::string_view text);

// Severity for a level word, ASCII case-insensitive: the RFC keywords and their long forms
// (emergency, critical, error, warning, informational) plus the words logging libraries use
// (panic 0, fatal 2, severe 3, warn 4, information 6, trace and verbose 7, Serilog's FTL ERR
// WRN INF DBG VRB). -1 if unknown.
int severity_from_text(std::string_view text);

}  // namespace seerflow::parse
