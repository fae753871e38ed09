#include "rules/match/rule_library.hpp"

struct seerflow_embedded_file {
  const char* path;
  const char* text;
};
extern const seerflow_embedded_file seerflow_bundled_rules[];
extern const std::size_t seerflow_bundled_rules_count;

namespace seerflow::rules {

std::vector<bundled_file> bundled_rule_files() {
  std::vector<bundled_file> out;
  for (std::size_t i = 0; i < seerflow_bundled_rules_count; ++i)
    out.push_back({seerflow_bundled_rules[i].path, seerflow_bundled_rules[i].text});
  return out;
}

std::shared_ptr<const rule_set> load_library(const library_options& opts, library_report& report) {
  load_options lo;
  for (const auto& p : opts.placeholders) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) continue;  // refused by the configuration already
    auto& values = lo.placeholders[p.substr(0, eq)];
    std::size_t b = eq + 1;
    while (b <= p.size()) {
      const auto e = p.find(',', b);
      values.push_back(p.substr(b, e == std::string::npos ? std::string::npos : e - b));
      if (e == std::string::npos) break;
      b = e + 1;
    }
  }
  auto rs = std::make_shared<rule_set>(std::move(lo));
  if (opts.bundled)
    for (const auto& f : bundled_rule_files())
      rs->add_yaml(f.text, "bundled:" + std::string(f.path));
  for (const auto& d : opts.dirs) rs->add_directory(d);
  rs->finalize();
  report.files = rs->files_read() + (opts.bundled ? bundled_rule_files().size() : 0);
  report.rules = rs->rules().size();
  report.correlations = rs->correlations().size();
  report.filters = rs->filters().size();
  report.rejected = rs->rejections();
  return rs;
}

}  // namespace seerflow::rules
