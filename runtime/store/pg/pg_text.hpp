#pragma once
// Text as PostgreSQL accepts it. A UTF8 database refuses invalid UTF-8 and NUL bytes outright
// (SQLite stores any bytes), so both are repaired here: invalid sequences become U+FFFD, NUL
// becomes U+FFFD too. Then COPY's text format and array literals escape what they need.
#include <string>
#include <string_view>

namespace seerflow::store::pg {

// `s` made acceptable to a UTF8 database (a copy only when it needs repair).
std::string_view clean_text(std::string_view s, std::string& scratch);

// Appends one field of COPY's text format: backslash, tab, newline and CR escaped.
void append_copy_field(std::string& out, std::string_view s);
// Appends COPY's NULL marker.
inline void append_copy_null(std::string& out) {
  out += "\\N";
}

// Appends one element of an array literal ({"a","b",NULL}): quoted, '"' and '\' escaped.
void append_array_element(std::string& out, std::string_view s);

}  // namespace seerflow::store::pg
