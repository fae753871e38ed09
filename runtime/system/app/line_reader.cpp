#include "runtime/system/app/line_reader.hpp"

#include <cerrno>
#include <cstring>

namespace seerflow::app {

bool line_reader::fill() {
  if (eof_) return false;
  pos_ = 0;
  end_ = std::fread(buf_.data(), 1, buf_.size(), in_);
  if (end_ == 0) {
    eof_ = true;
    if (std::ferror(in_)) error_ = std::strerror(errno);
    return false;
  }
  return true;
}

bool line_reader::read(std::vector<std::string>& out, std::size_t max) {
  std::size_t added = 0;
  while (added < max) {
    if (pos_ == end_ && !fill()) {
      if (!partial_.empty()) {
        if (partial_.back() == '\r' && !skipping_) partial_.pop_back();
        out.push_back(std::move(partial_));
      }
      partial_.clear();
      skipping_ = false;
      return false;
    }
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', end_ - pos_);
    const std::size_t len = nl ? static_cast<const char*>(nl) - start : end_ - pos_;
    if (!skipping_) {
      const std::size_t room =
          max_line_ + 1 > partial_.size() ? max_line_ + 1 - partial_.size() : 0;
      partial_.append(start, std::min(len, room));
      if (len > room) {
        skipping_ = true;  // keep max_line + 1 bytes: enough for the decoder to say "oversized"
        ++truncated_;
      }
    }
    pos_ += len;
    if (nl) {
      ++pos_;
      if (!partial_.empty() && partial_.back() == '\r' && !skipping_) partial_.pop_back();
      out.push_back(std::move(partial_));
      partial_.clear();
      skipping_ = false;
      ++added;
    }
  }
  return true;
}

}  // namespace seerflow::app
