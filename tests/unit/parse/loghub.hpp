#pragma once
// Reads the loghub sample logs (../shared/data/loghub) and their structured CSV companions for the
// decoder tests. Lines keep their CR: the files have CRLF line ends, as real files sometimes do.
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/shared_data.hpp"

namespace seerflow::test {

inline const char* const loghub_names[] = {"Apache", "HDFS",    "Hadoop", "HealthApp",
                                           "Linux",  "OpenSSH", "Spark",  "Zookeeper"};

inline std::vector<std::string> loghub_lines(const std::string& name) {
  const auto path = require_shared_data("loghub") / name / (name + "_2k.log");
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Rows of <name>_2k.log_structured_corrected.csv without the header row. RFC 4180 quoting.
inline std::vector<std::vector<std::string>> loghub_structured(const std::string& name) {
  const auto path =
      require_shared_data("loghub") / name / (name + "_2k.log_structured_corrected.csv");
  std::ifstream in(path, std::ios::binary);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> row(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          row.back().push_back('"');
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          row.back().push_back(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        row.emplace_back();
      } else {
        row.back().push_back(c);
      }
    }
    rows.push_back(std::move(row));
  }
  if (!rows.empty()) rows.erase(rows.begin());
  return rows;
}

}  // namespace seerflow::test
