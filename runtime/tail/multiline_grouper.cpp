#include "runtime/tail/multiline_grouper.hpp"

#include <limits>
#include <stdexcept>

#include <re2/re2.h>

namespace seerflow::tail {

namespace {

std::shared_ptr<const re2::RE2> compile(const std::string& pattern, const char* what) {
  if (pattern.empty()) return nullptr;
  re2::RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_shared<const re2::RE2>(pattern, o);
  if (!re->ok())
    throw std::invalid_argument(std::string(what) + " is not a valid RE2 pattern: " + re->error());
  return re;
}

}  // namespace

multiline_grouper::multiline_grouper(multiline_options options)
    : opt_(std::move(options)),
      start_(compile(opt_.start_pattern, "multiline.start_pattern")),
      continuation_(compile(opt_.continuation_pattern, "multiline.continuation_pattern")) {
  if (opt_.max_lines == 0) opt_.max_lines = 1;
  if (opt_.max_bytes == 0) opt_.max_bytes = 1;
}

multiline_grouper::~multiline_grouper() = default;
multiline_grouper::multiline_grouper(multiline_grouper&&) noexcept = default;
multiline_grouper& multiline_grouper::operator=(multiline_grouper&&) noexcept = default;

bool multiline_grouper::starts_record(std::string_view line) const {
  const re2::StringPiece sp(line.data(), line.size());
  if (start_) return re2::RE2::PartialMatch(sp, *start_);
  if (continuation_) return !re2::RE2::PartialMatch(sp, *continuation_);
  return true;
}

void multiline_grouper::add(std::string_view line, std::uint64_t line_no, std::uint64_t end_offset,
                            std::int64_t now_ns, const emit_fn& emit) {
  if (!start_ && !continuation_) {
    // Fast path: no grouping, nothing is held.
    emit(grouped_record{line, line_no, end_offset, line_no});
    return;
  }
  if (lines_ > 0 && (starts_record(line) || lines_ >= opt_.max_lines ||
                     text_.size() + 1 + line.size() > opt_.max_bytes))
    emit_pending(emit);
  if (lines_ == 0) {
    first_line_ = line_no;
    text_.assign(line.substr(0, opt_.max_bytes));
  } else {
    text_ += '\n';
    text_.append(line);
  }
  ++lines_;
  end_offset_ = end_offset;
  end_line_ = line_no;
  last_ns_ = now_ns;
}

void multiline_grouper::emit_pending(const emit_fn& emit) {
  if (lines_ == 0) return;
  emit(grouped_record{text_, first_line_, end_offset_, end_line_});
  reset();
}

void multiline_grouper::flush_if_due(std::int64_t now_ns, const emit_fn& emit) {
  if (lines_ > 0 && now_ns >= due_ns()) emit_pending(emit);
}

void multiline_grouper::flush(const emit_fn& emit) {
  emit_pending(emit);
}

void multiline_grouper::reset() {
  text_.clear();
  lines_ = 0;
}

std::int64_t multiline_grouper::due_ns() const {
  if (lines_ == 0) return std::numeric_limits<std::int64_t>::max();
  return last_ns_ +
         std::chrono::duration_cast<std::chrono::nanoseconds>(opt_.flush_timeout).count();
}

}  // namespace seerflow::tail
