#pragma once
// Reads the Loghub benchmark format (`<S>/<S>_2k.log_structured_corrected.csv`): one row per log
// line with its `Content` and true `EventTemplate`. Used by the scoring tool and its test; the
// CSV reader follows RFC 4180 (quoted fields, doubled quotes, commas and line breaks in quotes).
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace seerflow::parse {

struct loghub_system {
  std::string name;
  std::vector<std::string> contents;   // in file order
  std::vector<std::string> templates;  // the true template of each line
};

// Splits CSV text into rows of fields. Tolerates CRLF, a missing final newline and a UTF-8 BOM.
std::vector<std::vector<std::string>> parse_csv(std::string_view text);

// Loads one system from `<dir>/<name>/<name>_2k.log_structured_corrected.csv`; nullopt (with
// `error` set) when the file is missing or lacks the Content/EventTemplate columns.
std::optional<loghub_system> load_loghub_system(const std::filesystem::path& dir,
                                                const std::string& name, std::string* error);

// Names of the systems found under `dir` (sub-folders holding the structured CSV), sorted.
std::vector<std::string> find_loghub_systems(const std::filesystem::path& dir);

}  // namespace seerflow::parse
