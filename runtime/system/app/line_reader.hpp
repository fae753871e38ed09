#pragma once
// Reads a file or stdin as lines for `seerflow analyze`: LF or CRLF endings, a last line without
// a newline, and a bound on line length so one huge line cannot exhaust memory: a longer line is
// cut to max_line + 1 bytes and the rest of it skipped. Pass the decoders' record bound as
// max_line, so that the cut line is rejected as oversized rather than decoded truncated.
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace seerflow::app {

class line_reader {
 public:
  line_reader(std::FILE* in, std::size_t max_line) : in_(in), max_line_(max_line) {}

  // Appends up to `max` lines to `out`; returns false at end of input (out may still have got
  // lines). Read errors are reported through error().
  bool read(std::vector<std::string>& out, std::size_t max);
  const std::string& error() const { return error_; }
  std::size_t truncated_lines() const { return truncated_; }

 private:
  bool fill();

  std::FILE* in_;
  std::size_t max_line_;
  std::vector<char> buf_ = std::vector<char>(1 << 20);
  std::size_t pos_ = 0, end_ = 0;
  bool eof_ = false;
  std::string partial_;
  bool skipping_ = false;
  std::size_t truncated_ = 0;
  std::string error_;
};

}  // namespace seerflow::app
