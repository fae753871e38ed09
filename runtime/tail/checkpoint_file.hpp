#pragma once
// Where each tailed file has been read to, durably: {identity, offset, line} per file, written
// atomically (temporary file, fsync, rename, fsync of the directory) so a crash at any moment
// leaves either the old or the new checkpoint, never a torn one. Offsets written here are only
// those whose records the pipeline has committed (see commit_log).
#include <cstdint>
#include <map>
#include <string>

#include "runtime/tail/file_identity.hpp"

namespace seerflow::tail {

struct checkpoint_entry {
  file_identity identity;
  std::string path;          // where the file was last seen (informative)
  std::uint64_t offset = 0;  // committed: every record ending at or before this is stored
  std::uint64_t line = 0;    // lines before offset
  bool operator==(const checkpoint_entry&) const = default;
};

using checkpoint_map = std::map<file_key, checkpoint_entry>;

// Writes atomically; throws std::runtime_error naming the path and the failing step. `seq`: the
// number of the last batch whose records the entries cover (model/tail_offsets.hpp), so that a
// restart can tell which of this file and the offsets in the store is newer; 0 if unknown.
void save_checkpoints(const std::string& path, const checkpoint_map& entries,
                      std::uint64_t seq = 0);

// Reads what save_checkpoints wrote (and its `seq` into *seq if given; 0 when the file has
// none). A missing file is an empty map; a corrupt one throws std::runtime_error (the caller
// decides: the tailer logs it and starts without checkpoints).
checkpoint_map load_checkpoints(const std::string& path, std::uint64_t* seq = nullptr);

}  // namespace seerflow::tail
