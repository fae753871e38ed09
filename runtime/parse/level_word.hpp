#pragma once
// Finds the log level an application wrote near the start of a plain line ("INFO", "[error]",
// "WARN:", "level=debug") and maps it onto a syslog severity.
#include <string_view>

namespace seerflow::parse {

// Looks at the first `max_tokens` tokens of `text` (split on blanks and '|'). A token counts when,
// cut at its first ':' and stripped of one pair of enclosing brackets ([], (), <>) and of a
// "level=" / "lvl=" prefix, it is one of FATAL, CRITICAL, CRIT, ERROR, ERR, WARNING, WARN,
// NOTICE, INFO, DEBUG, TRACE in any case. Returns the severity (FATAL and CRIT* 2, ERR* 3,
// WARN* 4, NOTICE 5, INFO 6, DEBUG and TRACE 7) or -1. Only this short list, not every syslog
// keyword: words like "alert" or "emergency" open ordinary sentences too often.
int find_level_word(std::string_view text, int max_tokens = 4);

}  // namespace seerflow::parse
