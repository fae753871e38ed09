#pragma once
// Which batches the pipeline has committed, in order. The tailer records, for each batch it
// hands over, where each file's records in it end; the batch's credit token reports completion
// (from any thread) when the last stage lets go of it, i.e. after the store committed it. A
// checkpoint may advance only through the contiguous prefix of completed batches, so a crash
// loses no record whose batch had not been committed, and re-reads at most what was in flight.
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "runtime/tail/file_identity.hpp"

namespace seerflow::tail {

// Where one file's records in a batch end.
struct file_mark {
  file_key key;
  std::uint64_t generation = 0;  // the reader's truncation count when the records were read
  std::uint64_t end_offset = 0;
  std::uint64_t end_line = 0;
  // The file's fingerprint when the records were read (file_identity), stored with the
  // offsets so a restart can tell the file from a recycled inode.
  std::uint64_t fingerprint = 0;
  std::uint32_t fingerprint_len = 0;
};

using batch_marks = std::vector<file_mark>;

class commit_log {
 public:
  // `on_done` (optional) runs after each done(), on the completing thread: the driver uses it
  // to wake up and checkpoint promptly.
  explicit commit_log(std::function<void()> on_done = {}) : on_done_(std::move(on_done)) {}

  // Registers a batch about to be handed over; returns its sequence number.
  std::uint64_t begin(batch_marks marks);
  // The batch finished (committed, or dropped by the pipeline as poison). Any thread. A batch
  // the pipeline refused (shutdown) is never done: nothing after it is checkpointed.
  void done(std::uint64_t seq);
  // Marks of the completed batches at the front, in order; they are forgotten here.
  std::vector<batch_marks> take_completed();
  std::size_t in_flight() const;
  // The batch at the front is done: take_completed() would return something.
  bool has_completed() const;

 private:
  struct entry {
    std::uint64_t seq;
    batch_marks marks;
    bool done = false;
  };
  std::function<void()> on_done_;
  mutable std::mutex mtx_;
  std::uint64_t next_ = 1;
  std::deque<entry> entries_;
};

}  // namespace seerflow::tail
