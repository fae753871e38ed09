#include "runtime/parse/loghub_corpus.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace seerflow::parse {
namespace {

std::filesystem::path structured_csv(const std::filesystem::path& dir, const std::string& name) {
  return dir / name / (name + "_2k.log_structured_corrected.csv");
}

}  // namespace

std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::vector<std::string> row;
  std::string field;
  bool in_quotes = false;
  bool row_has_content = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        field.push_back(c);
      }
      continue;
    }
    switch (c) {
      case '"':
        in_quotes = true;
        row_has_content = true;
        break;
      case ',':
        row.push_back(std::move(field));
        field.clear();
        row_has_content = true;
        break;
      case '\r':
        break;  // CRLF line ends; a bare CR inside an unquoted field is dropped as well
      case '\n':
        if (row_has_content || !field.empty()) {
          row.push_back(std::move(field));
          rows.push_back(std::move(row));
        }
        field.clear();
        row.clear();
        row_has_content = false;
        break;
      default:
        field.push_back(c);
        row_has_content = true;
    }
  }
  if (row_has_content || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::optional<loghub_system> load_loghub_system(const std::filesystem::path& dir,
                                                const std::string& name, std::string* error) {
  const auto path = structured_csv(dir, name);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = "cannot open " + path.string();
    return std::nullopt;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  auto rows = parse_csv(buf.str());
  if (rows.empty()) {
    if (error) *error = "empty file " + path.string();
    return std::nullopt;
  }
  const auto& header = rows.front();
  const auto column = [&](std::string_view col) -> std::size_t {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), col) - header.begin());
  };
  const std::size_t content = column("Content"), tmpl = column("EventTemplate");
  if (content >= header.size() || tmpl >= header.size()) {
    if (error) *error = "no Content/EventTemplate columns in " + path.string();
    return std::nullopt;
  }
  loghub_system sys;
  sys.name = name;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    auto& row = rows[r];
    if (row.size() <= std::max(content, tmpl)) {
      if (error) *error = path.string() + ": row " + std::to_string(r + 1) + " is short";
      return std::nullopt;
    }
    sys.contents.push_back(std::move(row[content]));
    sys.templates.push_back(std::move(row[tmpl]));
  }
  return sys;
}

std::vector<std::string> find_loghub_systems(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_directory()) continue;
    const auto name = entry.path().filename().string();
    if (std::filesystem::exists(structured_csv(dir, name))) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace seerflow::parse
