#include "runtime/tail/path_guard.hpp"

#include <climits>
#include <cstdlib>
#include <filesystem>

namespace seerflow::tail {

namespace fs = std::filesystem;

namespace {

bool resolve(const std::string& p, std::string& out) {
  char buf[PATH_MAX];
  if (::realpath(p.c_str(), buf) == nullptr) return false;
  out = buf;
  return true;
}

bool has_wildcard(const std::string& s) {
  return s.find_first_of("*?[") != std::string::npos;
}

}  // namespace

std::string glob_base(const std::string& pattern) {
  const fs::path p(pattern);
  fs::path base;
  for (const auto& part : p) {
    if (has_wildcard(part.string())) return base.empty() ? "." : base.lexically_normal().string();
    base /= part;
  }
  // No wildcard: the file itself; its directory is the root.
  return p.has_parent_path() ? p.parent_path().lexically_normal().string() : ".";
}

path_guard::path_guard(const std::vector<std::string>& roots) {
  for (const auto& r : roots) {
    std::string resolved;
    if (!resolve(r, resolved)) {
      std::error_code ec;
      resolved = fs::absolute(fs::path(r), ec).lexically_normal().string();
    }
    while (resolved.size() > 1 && resolved.back() == '/') resolved.pop_back();
    roots_.push_back(std::move(resolved));
  }
}

bool path_guard::under_root(const std::string& resolved) const {
  for (const auto& r : roots_) {
    if (r == "/") return true;
    if (resolved.size() > r.size() && resolved.compare(0, r.size(), r) == 0 &&
        resolved[r.size()] == '/')
      return true;
    if (resolved == r) return true;
  }
  return false;
}

path_guard::verdict path_guard::check(const std::string& path) const {
  verdict v;
  if (!resolve(path, v.resolved)) {
    v.reason = "unresolvable";
    v.message = "cannot resolve " + path + " (dangling symlink or removed)";
    return v;
  }
  if (under_root(v.resolved)) {
    v.allowed = true;
    return v;
  }
  std::string roots;
  for (const auto& r : roots_) roots += (roots.empty() ? "" : ", ") + r;
  std::error_code ec;
  const std::string lexical = fs::absolute(fs::path(path), ec).lexically_normal().string();
  if (under_root(lexical)) {
    v.reason = "symlink_escape";
    v.message = "refusing " + path + ": it resolves to " + v.resolved +
                ", outside the configured roots (" + roots + "); a symlink leads out of them";
  } else {
    v.reason = "outside_roots";
    v.message =
        "refusing " + path + " (" + v.resolved + "): outside the configured roots (" + roots + ")";
  }
  return v;
}

}  // namespace seerflow::tail
