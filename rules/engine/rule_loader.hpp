#pragma once
// Turns YAML text (one or several documents) into compiled detection rules, correlation rules
// and meta-filters. A document the engine cannot honour becomes a rejection naming the file,
// the rule id and the reason; the other documents of the file still load. Hostile input
// (malformed, binary, oversized, alias bombs, deep nesting) is rejected, never a crash.
#include <string>
#include <string_view>
#include <vector>

#include "rules/engine/modifiers.hpp"
#include "rules/engine/rule.hpp"

namespace seerflow::rules {

struct rejection {
  std::string file;
  std::string rule_id;  // id, else name, else title, else "document N"
  std::string reason;
};

struct load_options {
  placeholder_map placeholders;          // values for `expand`
  std::size_t max_file_bytes = 4 << 20;  // larger files are rejected whole
  std::size_t max_yaml_nodes = 200000;   // per document, counts alias re-visits
};

struct loaded_documents {
  std::vector<detection_rule> rules;
  std::vector<correlation_rule> correlations;
  std::vector<filter_rule> filters;
  std::vector<rejection> rejected;
};

// Parses `text` (named `file` in rejections) and appends what it holds to `out`. Field names
// are interned into `fields`.
void load_yaml_text(std::string_view text, std::string_view file, const load_options& opts,
                    field_registry& fields, loaded_documents& out);

// Timespan such as `5m`, `1h`, `30s`, `2d`, `1w`, `1M`, `1y` in nanoseconds; 0 when invalid.
std::int64_t parse_timespan(std::string_view text);

}  // namespace seerflow::rules
