#pragma once
// Keeps the tailer inside the directories it was allowed to read. A discovered path is resolved
// (realpath: symlinks and ".." followed) and must lie under one of the resolved roots, so a
// symlink planted in /var/log pointing at /etc/shadow is refused, with a message saying why.
#include <string>
#include <vector>

namespace seerflow::tail {

class path_guard {
 public:
  // Roots are resolved once here; a root that does not exist (yet) is kept as written, made
  // absolute and lexically normalised.
  explicit path_guard(const std::vector<std::string>& roots);

  struct verdict {
    bool allowed = false;
    std::string resolved;  // the real path (when it could be resolved)
    std::string reason;    // "outside_roots", "symlink_escape", "unresolvable"
    std::string message;   // for the log: what was refused and why
  };
  verdict check(const std::string& path) const;

  const std::vector<std::string>& roots() const { return roots_; }

 private:
  bool under_root(const std::string& resolved) const;
  std::vector<std::string> roots_;
};

// The directory part of a glob before its first wildcard component: "/var/log/*.log" ->
// "/var/log", "/srv/**/app.log" -> "/srv". The default roots are those of the configured globs.
std::string glob_base(const std::string& pattern);

}  // namespace seerflow::tail
