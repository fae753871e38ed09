#pragma once
// Joins the lines of one file into records, so that a Java stack trace is one event: either a
// line matching `start_pattern` begins a record (everything else continues it), or a line
// matching `continuation_pattern` continues the current record (everything else begins one).
// With neither pattern every line is a record. Records are bounded by max_lines and max_bytes,
// and a record whose file has gone quiet is flushed after flush_timeout, not held forever.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace seerflow::tail {

struct multiline_options {
  std::string start_pattern;         // RE2, partial match; empty = unused
  std::string continuation_pattern;  // RE2, partial match; empty = unused
  std::size_t max_lines = 500;
  std::size_t max_bytes = 65536;
  std::chrono::milliseconds flush_timeout{1000};

  bool grouping() const { return !start_pattern.empty() || !continuation_pattern.empty(); }
};

// A finished record: its text (lines joined by '\n'), the number of its first line, the file
// offset just past its last line and the number of lines consumed through it.
struct grouped_record {
  std::string_view text;
  std::uint64_t first_line = 0;
  std::uint64_t end_offset = 0;
  std::uint64_t end_line = 0;
};

class multiline_grouper {
 public:
  using emit_fn = std::function<void(const grouped_record&)>;

  // Throws std::invalid_argument when a pattern does not compile (config validation checks
  // them first, so this is a programming error).
  explicit multiline_grouper(multiline_options options);
  ~multiline_grouper();
  multiline_grouper(multiline_grouper&&) noexcept;
  multiline_grouper& operator=(multiline_grouper&&) noexcept;

  // One line (without its newline) numbered `line`, ending at file offset `end_offset`.
  // `now_ns` is monotonic. Emits zero or more finished records.
  void add(std::string_view line, std::uint64_t line_no, std::uint64_t end_offset,
           std::int64_t now_ns, const emit_fn& emit);

  // Emits the pending record if its last line came flush_timeout ago or more.
  void flush_if_due(std::int64_t now_ns, const emit_fn& emit);
  // Emits the pending record, if any (the file ended: rotated away, deleted, truncated).
  void flush(const emit_fn& emit);
  // Forgets the pending record (nothing is emitted).
  void reset();

  bool pending() const { return lines_ > 0; }
  // Monotonic time at which the pending record becomes due, or INT64_MAX.
  std::int64_t due_ns() const;

 private:
  bool starts_record(std::string_view line) const;
  void emit_pending(const emit_fn& emit);

  multiline_options opt_;
  std::shared_ptr<const re2::RE2> start_;
  std::shared_ptr<const re2::RE2> continuation_;
  std::string text_;
  std::size_t lines_ = 0;
  std::uint64_t first_line_ = 0;
  std::uint64_t end_offset_ = 0;
  std::uint64_t end_line_ = 0;
  std::int64_t last_ns_ = 0;
};

}  // namespace seerflow::tail
