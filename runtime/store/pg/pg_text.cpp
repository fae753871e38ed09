#include "runtime/store/pg/pg_text.hpp"

#include "runtime/util/utf8.hpp"

namespace seerflow::store::pg {

std::string_view clean_text(std::string_view s, std::string& scratch) {
  if (util::is_valid_utf8(s) && s.find('\0') == std::string_view::npos) return s;
  scratch.assign(s);
  util::repair_utf8(scratch);
  std::string out;
  out.reserve(scratch.size());
  for (const char c : scratch) {
    if (c == '\0')
      out += "\xEF\xBF\xBD";
    else
      out += c;
  }
  scratch = std::move(out);
  return scratch;
}

void append_copy_field(std::string& out, std::string_view s) {
  std::string scratch;
  for (const char c : clean_text(s, scratch)) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
}

void append_array_element(std::string& out, std::string_view s) {
  std::string scratch;
  out += '"';
  for (const char c : clean_text(s, scratch)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace seerflow::store::pg
