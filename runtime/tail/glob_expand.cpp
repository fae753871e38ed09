#include "runtime/tail/glob_expand.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace seerflow::tail {

namespace fs = std::filesystem;

namespace {

bool has_wildcard(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

void walk(const fs::path& dir, const std::vector<std::string>& parts, std::size_t i, int depth,
          int max_depth, std::vector<std::string>& out) {
  std::error_code ec;
  if (i == parts.size()) {
    // A match names a file (possibly through a symlink; the path guard judges where it leads).
    if (fs::is_regular_file(dir, ec)) out.push_back(dir.string());
    return;
  }
  const auto& part = parts[i];
  if (part == "**") {
    walk(dir, parts, i + 1, depth, max_depth, out);  // zero directories
    if (depth >= max_depth) return;
    for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
      const auto& e = *it;
      std::error_code sec;
      if (e.is_symlink(sec) || !e.is_directory(sec)) continue;
      if (e.path().filename().string().starts_with('.')) continue;
      walk(e.path(), parts, i, depth + 1, max_depth, out);
    }
    return;
  }
  if (!has_wildcard(part)) {
    const auto next = dir / part;
    if (i + 1 < parts.size() && !fs::is_directory(next, ec)) return;
    walk(next, parts, i + 1, depth, max_depth, out);
    return;
  }
  for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (::fnmatch(part.c_str(), name.c_str(), FNM_PERIOD) != 0) continue;
    if (i + 1 < parts.size()) {
      std::error_code dec;
      if (!it->is_directory(dec)) continue;
    }
    walk(it->path(), parts, i + 1, depth, max_depth, out);
  }
}

}  // namespace

std::vector<std::string> expand_glob(const std::string& pattern, int max_depth) {
  std::vector<std::string> out;
  if (pattern.empty()) return out;
  const fs::path p(pattern);
  std::vector<std::string> parts;
  fs::path start = p.is_absolute() ? fs::path("/") : fs::path(".");
  for (const auto& c : p.relative_path()) {
    const auto s = c.string();
    if (s.empty() || s == ".") continue;
    parts.push_back(s);
  }
  walk(start, parts, 0, 0, max_depth, out);
  if (!p.is_absolute()) {
    for (auto& s : out)
      if (s.starts_with("./")) s.erase(0, 2);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace seerflow::tail
