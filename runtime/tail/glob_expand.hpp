#pragma once
// File discovery: expands a glob into the regular files (or symlinks to them) it names now.
// Components match with fnmatch(3) ('*', '?', '[...]'; a leading '.' must be matched
// explicitly); a component "**" matches any number of directories, including none. Re-run
// periodically by the tailer so files created later are picked up.
#include <string>
#include <vector>

namespace seerflow::tail {

// Sorted, without duplicates. Unreadable directories are skipped silently: a glob over
// /var/log must not fail because one subdirectory is private. Recursion under "**" stops at
// max_depth directories and does not follow directory symlinks (no loops).
std::vector<std::string> expand_glob(const std::string& pattern, int max_depth = 16);

}  // namespace seerflow::tail
