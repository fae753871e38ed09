#include "runtime/webhook/json_path.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

namespace seerflow::webhook {

std::optional<json_path> json_path::parse(std::string_view spec, std::string& error) {
  json_path p;
  p.text_.assign(spec);
  if (spec.empty()) {
    error = "empty JSON path";
    return std::nullopt;
  }
  const bool pointer = spec.front() == '/';
  const char sep = pointer ? '/' : '.';
  if (pointer) spec.remove_prefix(1);
  std::size_t start = 0;
  for (;;) {
    const auto end = spec.find(sep, start);
    std::string_view raw =
        spec.substr(start, end == std::string_view::npos ? spec.npos : end - start);
    std::string step;
    if (pointer) {
      for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '~') {
          step += raw[i];
        } else if (i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          step += raw[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          error = "bad escape in JSON pointer '" + p.text_ + "' (~ must be followed by 0 or 1)";
          return std::nullopt;
        }
      }
    } else {
      if (raw.empty()) {
        error = "empty step in JSON path '" + p.text_ + "'";
        return std::nullopt;
      }
      step.assign(raw);
    }
    p.steps_.push_back(std::move(step));
    if (p.steps_.size() > max_steps) {
      error = "JSON path '" + p.text_ + "' has more than " + std::to_string(max_steps) + " steps";
      return std::nullopt;
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return p;
}

const nlohmann::json* json_path::resolve(const nlohmann::json& root) const {
  const nlohmann::json* cur = &root;
  for (const auto& step : steps_) {
    if (cur->is_object()) {
      const auto it = cur->find(step);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      std::size_t idx = 0;
      const auto* b = step.data();
      const auto* e = b + step.size();
      const auto [ptr, ec] = std::from_chars(b, e, idx);
      if (step.empty() || ec != std::errc() || ptr != e || idx >= cur->size()) return nullptr;
      cur = &(*cur)[idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

}  // namespace seerflow::webhook
