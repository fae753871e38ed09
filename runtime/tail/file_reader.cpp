#include "runtime/tail/file_reader.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace seerflow::tail {

file_reader::file_reader(int fd, file_identity identity, std::string path, std::uint64_t offset,
                         std::uint64_t line, const multiline_options& multiline,
                         std::size_t max_record, std::size_t read_chunk)
    : fd_(fd),
      id_(identity),
      path_(std::move(path)),
      group_(multiline),
      max_record_(max_record == 0 ? 1 : max_record),
      chunk_(read_chunk == 0 ? 4096 : read_chunk),
      offset_(offset),
      read_offset_(offset),
      line_(line) {}

file_reader::~file_reader() {
  if (fd_ >= 0) ::close(fd_);
}

void file_reader::refresh_fingerprint() {
  if (id_.fingerprint_len >= fingerprint_span) return;
  const auto len =
      static_cast<std::uint32_t>(std::min<std::uint64_t>(read_offset_, fingerprint_span));
  if (len <= id_.fingerprint_len) return;
  std::uint64_t fp = 0;
  if (fingerprint_of(fd_, len, fp)) {
    id_.fingerprint = fp;
    id_.fingerprint_len = len;
  }
}

file_reader::pump_result file_reader::pump(std::size_t max_records, std::int64_t now_ns,
                                           const emit_fn& emit, const reject_fn& reject) {
  pump_result r;
  const emit_fn counted = [&](const grouped_record& g) {
    ++r.records;
    emit(g);
  };
  while (r.records < max_records) {
    const char* base = buf_.data() + pos_;
    const std::size_t avail = buf_.size() - pos_;
    const auto* nl = static_cast<const char*>(std::memchr(base, '\n', avail));
    if (nl != nullptr) {
      const auto len = static_cast<std::size_t>(nl - base);
      const std::uint64_t end = offset_ + len + 1;
      ++line_;
      if (skipping_) {
        skipping_ = false;  // the tail of a line already rejected
      } else if (len > max_record_) {
        reject("oversized", path_ + ":" + std::to_string(line_) + ": line of " +
                                std::to_string(len) + " bytes exceeds max_record " +
                                std::to_string(max_record_));
      } else {
        std::string_view text(base, len);
        if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
        group_.add(text, line_, end, now_ns, counted);
      }
      pos_ += len + 1;
      offset_ = end;
      continue;
    }
    // No complete line buffered. A line already longer than max_record is cut here: what is
    // buffered is discarded and the rest up to its newline is skipped, so memory stays bounded.
    if (skipping_ || avail > max_record_) {
      if (!skipping_)
        reject("oversized", path_ + ":" + std::to_string(line_ + 1) + ": line exceeds max_record " +
                                std::to_string(max_record_) + " bytes; cut");
      skipping_ = true;
      offset_ += avail;
      pos_ = buf_.size();
    }
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    const std::size_t old = buf_.size();
    buf_.resize(old + chunk_);
    ssize_t n;
    do {
      n = ::pread(fd_, buf_.data() + old, chunk_, static_cast<off_t>(read_offset_));
    } while (n < 0 && errno == EINTR);
    buf_.resize(old + (n > 0 ? static_cast<std::size_t>(n) : 0));
    if (n <= 0) {
      r.eof = true;
      break;
    }
    read_offset_ += static_cast<std::uint64_t>(n);
    r.bytes += static_cast<std::uint64_t>(n);
  }
  return r;
}

bool file_reader::check_truncated(const emit_fn& emit) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return false;
  const auto size = static_cast<std::uint64_t>(st.st_size);
  bool rewritten = false;
  if (size >= read_offset_ && size != last_size_ && id_.fingerprint_len > 0) {
    // Grown (or changed) since the last look: a copy-truncate followed by more writes than we
    // had read would hide the truncation from the size alone, but not from the head.
    std::uint64_t fp = 0;
    rewritten = fingerprint_of(fd_, id_.fingerprint_len, fp) && fp != id_.fingerprint;
  }
  last_size_ = size;
  if (size >= read_offset_ && !rewritten) return false;
  // What was grouped before the truncation existed; the partial line is lost with the file's
  // old contents (its bytes are no longer there to be completed).
  group_.flush(emit);
  buf_.clear();
  pos_ = 0;
  offset_ = read_offset_ = 0;
  line_ = 0;
  skipping_ = false;
  ++generation_;
  id_.fingerprint_len = 0;
  id_.fingerprint = 0;
  refresh_fingerprint();
  return true;
}

void file_reader::finish(const emit_fn& emit) {
  if (pos_ < buf_.size() && !skipping_) {
    std::string_view text(buf_.data() + pos_, buf_.size() - pos_);
    ++line_;
    group_.add(text, line_, read_offset_, 0, emit);
  }
  buf_.clear();
  pos_ = 0;
  offset_ = read_offset_;
  skipping_ = false;
  group_.flush(emit);
}

}  // namespace seerflow::tail
