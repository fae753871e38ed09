#pragma once
// Reads one open file from an offset: splits it into lines, groups lines into records
// (multiline_grouper), cuts lines longer than max_record (rejected "oversized", never buffered
// beyond that), and notices truncation (the file is shorter than what was read: copy-truncate
// or a plain truncate) by restarting at offset 0. Holds the descriptor, so a renamed or deleted
// file can still be read to its end. Not thread-safe.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "runtime/tail/file_identity.hpp"
#include "runtime/tail/multiline_grouper.hpp"

namespace seerflow::tail {

class file_reader {
 public:
  using emit_fn = multiline_grouper::emit_fn;
  using reject_fn = std::function<void(std::string_view reason, const std::string& detail)>;

  // Takes ownership of `fd`. `offset`/`line`: where to start and the number of lines before it.
  file_reader(int fd, file_identity identity, std::string path, std::uint64_t offset,
              std::uint64_t line, const multiline_options& multiline, std::size_t max_record,
              std::size_t read_chunk = 256 * 1024);
  ~file_reader();
  file_reader(const file_reader&) = delete;
  file_reader& operator=(const file_reader&) = delete;

  struct pump_result {
    std::size_t records = 0;
    std::uint64_t bytes = 0;
    bool eof = false;  // everything the file holds now has been read
  };
  // Reads and emits until `max_records` records were emitted or the end of the file.
  pump_result pump(std::size_t max_records, std::int64_t now_ns, const emit_fn& emit,
                   const reject_fn& reject);

  // True (and the reader restarted at 0, its pending record flushed) when the file is now
  // shorter than what was read, or its head no longer matches the fingerprint (truncated and
  // rewritten past our offset between two looks).
  bool check_truncated(const emit_fn& emit);

  // The file will not grow any more (rotated away or deleted and drained): emits the last line
  // even without a newline, and the pending record.
  void finish(const emit_fn& emit);

  void flush_if_due(std::int64_t now_ns, const emit_fn& emit) { group_.flush_if_due(now_ns, emit); }
  // Emits the pending multi-line record now (a rotated file at its end: its successor's
  // records must not overtake it).
  void flush_record(const emit_fn& emit) { group_.flush(emit); }
  std::int64_t due_ns() const { return group_.due_ns(); }

  const file_identity& identity() const { return id_; }
  // Recomputes the fingerprint while the file is shorter than fingerprint_span, so checkpoints
  // written later carry a stronger one.
  void refresh_fingerprint();
  const std::string& path() const { return path_; }
  void set_path(std::string p) { path_ = std::move(p); }
  std::uint64_t read_offset() const { return read_offset_; }
  std::uint64_t generation() const { return generation_; }
  // Bytes of the file read but not yet part of a line (waiting for its newline).
  bool has_partial() const { return pos_ < buf_.size() && !skipping_; }

 private:
  int fd_;
  file_identity id_;
  std::string path_;
  multiline_grouper group_;
  std::size_t max_record_;
  std::size_t chunk_;
  std::string buf_;
  std::size_t pos_ = 0;           // unprocessed bytes are buf_[pos_, size)
  std::uint64_t offset_;          // file offset of buf_[pos_]
  std::uint64_t read_offset_;     // file offset of buf_'s end
  std::uint64_t line_;            // lines consumed before offset_
  std::uint64_t generation_ = 0;  // bumped at each truncation
  std::uint64_t last_size_ = 0;   // file size at the last truncation check
  bool skipping_ = false;         // discarding the rest of an oversized line
};

}  // namespace seerflow::tail
