#pragma once
// The tailer's read positions kept by the store (model/tail_offsets.hpp) and how a restart
// combines them with the checkpoint file. The store writes a batch's positions in the same
// transaction as its events; the checkpoint file follows later (checkpoint_interval). After a
// kill -9 in between, the store's rows are the newer: taking them keeps every committed batch
// from being read and stored a second time. Also the text form in which the store actor hands
// the rows over (a JSON array), so no new type crosses the actor boundary.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/model/tail_offsets.hpp"
#include "runtime/tail/checkpoint_file.hpp"

namespace seerflow::tail {

struct resume_point {
  checkpoint_map files;
  std::uint64_t seq = 0;       // the last batch covered: new batches are numbered after it
  std::size_t from_store = 0;  // files whose position came from the store
};

// The checkpoint file's entries (covering batches up to `file_seq`) updated with the store's
// rows of later batches. A row of a batch the file covers says nothing new: the file may even
// have dropped that file on purpose (released after a rotation), so it is ignored.
resume_point merge_stored_offsets(checkpoint_map files, std::uint64_t file_seq,
                                  const std::vector<model::stored_tail_offset>& stored);

std::string encode_stored_offsets(const std::vector<model::stored_tail_offset>& rows);
// Throws std::runtime_error when the text is not what encode_stored_offsets writes.
std::vector<model::stored_tail_offset> decode_stored_offsets(std::string_view text);

}  // namespace seerflow::tail
