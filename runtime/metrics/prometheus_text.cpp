#include "runtime/metrics/prometheus_text.hpp"

#include <algorithm>
#include <map>

namespace seerflow::metrics {

namespace {

std::string sanitize(std::string_view name, bool allow_colon) {
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                    (allow_colon && c == ':') || (i > 0 && c >= '0' && c <= '9');
    out.push_back(ok ? c : '_');
  }
  if (out.empty()) out = "_";
  return out;
}

void append_escaped(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
}

}  // namespace

std::string prometheus_text(const std::vector<sample>& samples) {
  // family name -> its lines; std::map keeps the output in a stable order.
  struct family {
    bool counter = true;
    std::string lines;
  };
  std::map<std::string, family> families;
  for (const auto& s : samples) {
    std::string name = "seerflow_" + sanitize(s.name, true);
    if (s.is_counter) {
      if (!name.ends_with("_total")) name += "_total";
    } else if (auto it = families.find(name); it != families.end() && it->second.counter) {
      name += "_gauge";
    }
    auto& f = families[name];
    f.counter = s.is_counter;
    f.lines += name;
    if (!s.tags.empty()) {
      f.lines += '{';
      bool first = true;
      // Duplicate label names would make the line unparsable: keep the first of each.
      std::vector<std::string> seen;
      for (const auto& [k, v] : s.tags) {
        auto key = sanitize(k, false);
        if (key.starts_with("__")) key = "_" + key.substr(2);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
        seen.push_back(key);
        if (!first) f.lines += ',';
        first = false;
        f.lines += key;
        f.lines += "=\"";
        append_escaped(f.lines, v);
        f.lines += '"';
      }
      f.lines += '}';
    }
    f.lines += ' ';
    f.lines += std::to_string(s.value);
    f.lines += '\n';
  }
  std::string out;
  for (const auto& [name, f] : families) {
    out += "# TYPE " + name + (f.counter ? " counter\n" : " gauge\n");
    out += f.lines;
  }
  return out;
}

}  // namespace seerflow::metrics
