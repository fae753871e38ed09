#pragma once
// The file-tail engine, free of Asio and CAF: discovers files by glob (re-scanned on demand),
// keeps one reader per file identity, follows rotation by rename-and-create (the old file is
// read to its end, then released, before the new one), copy-truncate and truncation (restart at
// 0), deletion (drained, then released), and owns the checkpoint table, which advances only by
// committed marks. The driver (file_tail_server, or a test) calls rescan(), poll() and commit().
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/tail/checkpoint_file.hpp"
#include "runtime/tail/commit_log.hpp"
#include "runtime/tail/file_reader.hpp"
#include "runtime/tail/multiline_grouper.hpp"
#include "runtime/tail/path_guard.hpp"

namespace seerflow::tail {

struct tailer_options {
  std::vector<std::string> paths;  // globs
  std::vector<std::string> roots;  // empty = the globs' base directories
  bool start_at_end = true;        // files found at the very first start (no checkpoints yet)
  std::size_t max_record = 65536;  // longer lines are cut and rejected ("oversized")
  multiline_options multiline;
  std::size_t read_chunk = 256 * 1024;
  // A file renamed away or deleted is released once drained and quiet this long (a writer may
  // still append to the old file briefly after a rotation).
  std::chrono::milliseconds release_after{1000};
  std::size_t max_files = 4096;  // readers open at most; further files wait for a slot
};

// One record of a file, as handed to the driver. `text` is valid during the callback only.
struct tail_record {
  std::string_view text;
  const std::string* path = nullptr;
  std::uint64_t first_line = 0;
  file_mark mark;  // where the record ends in its file
};

// Plain counters; the driver publishes them as metrics.
struct tail_stats {
  std::uint64_t records = 0;
  std::uint64_t bytes_read = 0;
  std::uint64_t files_opened = 0;
  std::uint64_t files_released = 0;
  std::uint64_t rotations = 0;      // a path now names a different file than the one being read
  std::uint64_t truncations = 0;    // a file shrank below the read offset (copy-truncate)
  std::uint64_t inode_reused = 0;   // a checkpoint's inode now holds a different file
  std::uint64_t refused = 0;        // paths refused by the path guard (once per path)
  std::uint64_t oversized = 0;      // lines cut
  std::uint64_t open_failures = 0;  // once per path
};

class tailer {
 public:
  using record_fn = std::function<void(const tail_record&)>;
  // Something a human should know: kind ("refused", "oversized", "rotated", "truncated", ...),
  // a stable reason and a message. The driver rate-limits and logs them.
  using notice_fn =
      std::function<void(std::string_view kind, std::string_view reason, const std::string& msg)>;

  tailer(tailer_options options, checkpoint_map checkpoints, notice_fn notice = {});
  ~tailer();

  // Replaces the checkpoint table; only before the first rescan (the driver loads the file once
  // it is sure no predecessor still writes it).
  void set_checkpoints(checkpoint_map checkpoints) {
    table_ = std::move(checkpoints);
    resumed_ = !table_.empty();
  }

  // Expands the globs; opens new files (at their checkpoint, else at the start position),
  // notices files renamed away or deleted.
  void rescan(std::int64_t now_ns);

  // Reads files (those being drained first, so a rotated file ends before its successor
  // begins) until `max_records` records were emitted or every file is at its end. Also flushes
  // multiline records whose flush timeout passed and releases drained files. Returns the number
  // of records emitted.
  std::size_t poll(std::size_t max_records, std::int64_t now_ns, const record_fn& emit);

  // Applies the marks of committed batches (in order) to the checkpoint table.
  void commit(const std::vector<batch_marks>& completed);
  // The table to write. With `nothing_in_flight`, entries of released files are dropped.
  const checkpoint_map& checkpoints(bool nothing_in_flight);

  // Monotonic time at which a pending multiline record falls due (INT64_MAX if none).
  std::int64_t next_due_ns() const;

  const tail_stats& stats() const { return stats_; }
  std::size_t open_files() const { return readers_.size(); }
  const std::vector<std::string>& roots() const { return guard_.roots(); }

 private:
  struct reader_slot {
    std::unique_ptr<file_reader> reader;
    bool gone = false;  // renamed away or deleted: read to the end, then release
    std::int64_t quiet_since_ns = 0;
    bool at_eof = false;
  };
  void open_file(const std::string& path, const std::string& resolved, std::int64_t now_ns);
  void note(std::string_view kind, std::string_view reason, const std::string& msg);
  void release(std::map<file_key, reader_slot>::iterator it);

  tailer_options opt_;
  path_guard guard_;
  notice_fn notice_;
  checkpoint_map table_;
  std::map<file_key, std::uint64_t> generations_;  // bumped per truncation, survive release
  std::set<file_key> released_;                    // table entries of released files
  std::map<file_key, reader_slot> readers_;
  std::set<std::string> refused_paths_;  // warned once
  std::set<std::string> failed_paths_;   // open failures warned once
  bool first_scan_ = true;
  // Checkpoints were loaded: this is a restart, and a file without one appeared while we were
  // down (a rotation, say), so it is read from its beginning whatever start_at says.
  bool resumed_ = false;
  tail_stats stats_;
};

}  // namespace seerflow::tail
