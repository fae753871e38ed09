#pragma once
// How far a file tailer had read when it made a batch: per file, where that file's records in
// the batch end. The batch carries it to the store, which writes it in the same transaction as
// the batch's events; after a kill -9 the tailer resumes from the newer of this and its
// checkpoint file, so a committed batch is never read (and stored) twice. Local by nature:
// never serialized between nodes.
#include <cstdint>
#include <string>
#include <vector>

namespace seerflow::model {

// One file: its identity (device, inode, fingerprint of its head, see tail/file_identity.hpp)
// and where its records in the batch end.
struct tail_file_offset {
  std::uint64_t dev = 0;
  std::uint64_t ino = 0;
  std::uint64_t fingerprint = 0;
  std::uint32_t fingerprint_len = 0;
  std::uint64_t offset = 0;  // every record ending at or before this is in the batch or before
  std::uint64_t line = 0;    // lines before offset
  bool operator==(const tail_file_offset&) const = default;
};

struct tail_offsets {
  std::string tailer;  // "<node>/<receiver>": whose positions these are
  // The batch's number. Increases across restarts: a larger number is a later batch.
  std::uint64_t seq = 0;
  // The tailer's checkpoint file covers every batch up to this one: stored rows of this tailer
  // with a number up to here say nothing the file does not, and may go.
  std::uint64_t saved_seq = 0;
  std::vector<tail_file_offset> files;
};

// A row of the store: a file's position as of the batch `seq`.
struct stored_tail_offset {
  tail_file_offset file;
  std::uint64_t seq = 0;
  bool operator==(const stored_tail_offset&) const = default;
};

}  // namespace seerflow::model
