#include "runtime/net/syslog_framer.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace seerflow::net {

namespace {

// The longest octet count accepted: 10 digits is already far beyond any sane record, and keeps
// the value well inside 64 bits.
constexpr unsigned max_count_digits = 10;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// First LF or NUL in [p, end), or end.
const char* find_terminator(const char* p, const char* end) {
  const auto n = static_cast<std::size_t>(end - p);
  const char* lf = static_cast<const char*>(std::memchr(p, '\n', n));
  const char* stop = lf ? lf : end;
  const char* nul =
      static_cast<const char*>(std::memchr(p, '\0', static_cast<std::size_t>(stop - p)));
  return nul ? nul : stop;
}

std::string_view strip_cr(std::string_view s) {
  while (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

// A record's length for the max_record check: its bytes, less the CR of a CRLF. Only that one
// CR is discounted, so the check gives the same verdict however the record was split into reads
// (an unterminated piece longer than max_record + 1 is already known to be too long).
std::size_t record_length(std::string_view head, std::string_view tail) {
  const std::size_t n = head.size() + tail.size();
  const char last = !tail.empty() ? tail.back() : (!head.empty() ? head.back() : '\0');
  return last == '\r' ? n - 1 : n;
}

std::string oversized_detail(std::size_t length, std::size_t limit) {
  return "record of " + std::to_string(length) + " bytes exceeds max_record " +
         std::to_string(limit);
}

}  // namespace

syslog_framer::syslog_framer(std::size_t max_record, framing f)
    : max_record_(max_record == 0 ? 1 : max_record), framing_(f) {}

bool syslog_framer::mid_record() const {
  return state_ == state::octet_len || state_ == state::octet_body || state_ == state::lf_record;
}

void syslog_framer::reset() {
  if (state_ != state::failed) state_ = state::frame_start;
  buf_.clear();
  octet_len_ = 0;
  digits_ = 0;
  remaining_ = 0;
}

bool syslog_framer::feed(std::string_view bytes, record_fn on_record, reject_fn on_reject) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  while (p < end) {
    switch (state_) {
      case state::failed:
        return false;

      case state::frame_start: {
        const char c = *p;
        if (c == '\n' || c == '\r' || c == '\0') {
          ++p;  // blank line, the LF of a CRLF, or stray padding between frames
        } else if (framing_ == framing::detect && is_digit(c)) {
          state_ = state::octet_len;
          octet_len_ = 0;
          digits_ = 0;
        } else {
          state_ = state::lf_record;
        }
        break;
      }

      case state::octet_len: {
        while (p < end && is_digit(*p)) {
          if (++digits_ > max_count_digits) {
            state_ = state::failed;
            buf_.clear();
            on_reject("bad_frame", "octet count has more than 10 digits");
            return false;
          }
          octet_len_ = octet_len_ * 10 + static_cast<std::uint64_t>(*p - '0');
          ++p;
        }
        if (p == end) break;
        if (*p != ' ') {
          char detail[96];
          std::snprintf(detail, sizeof detail,
                        "octet count %llu is followed by byte 0x%02x instead of a space",
                        static_cast<unsigned long long>(octet_len_),
                        static_cast<unsigned>(static_cast<unsigned char>(*p)));
          state_ = state::failed;
          buf_.clear();
          on_reject("bad_frame", detail);
          return false;
        }
        ++p;
        remaining_ = octet_len_;
        if (octet_len_ == 0) {
          on_reject("empty", "octet-counted frame of length 0");
          state_ = state::frame_start;
        } else if (octet_len_ > max_record_) {
          on_reject("oversized", "octet-counted " + oversized_detail(octet_len_, max_record_));
          state_ = state::octet_skip;
        } else {
          state_ = state::octet_body;
        }
        break;
      }

      case state::octet_body: {
        const auto avail = static_cast<std::uint64_t>(end - p);
        if (buf_.empty() && avail >= remaining_) {
          const std::string_view rec(p, remaining_);
          p += remaining_;
          state_ = state::frame_start;
          // Some senders count a trailing LF; the record itself never ends with one.
          const auto body = strip_cr(
              rec.back() == '\n' || rec.back() == '\0' ? rec.substr(0, rec.size() - 1) : rec);
          if (body.empty())
            on_reject("empty", "octet-counted frame holds only a line terminator");
          else
            on_record(body);
          break;
        }
        const auto take = static_cast<std::size_t>(std::min(avail, remaining_));
        buf_.append(p, take);
        p += take;
        remaining_ -= take;
        if (remaining_ == 0) {
          state_ = state::frame_start;
          std::string_view rec(buf_);
          if (rec.back() == '\n' || rec.back() == '\0') rec.remove_suffix(1);
          rec = strip_cr(rec);
          if (rec.empty())
            on_reject("empty", "octet-counted frame holds only a line terminator");
          else
            on_record(rec);
          buf_.clear();
        }
        break;
      }

      case state::octet_skip: {
        const auto take = std::min(static_cast<std::uint64_t>(end - p), remaining_);
        p += take;
        remaining_ -= take;
        if (remaining_ == 0) state_ = state::frame_start;
        break;
      }

      case state::lf_record: {
        const char* stop = find_terminator(p, end);
        const std::string_view seg(p, static_cast<std::size_t>(stop - p));
        const std::size_t total = buf_.size() + seg.size();
        if (stop == end) {
          // No terminator in this read: keep the piece, unless the record is already too long
          // (one byte of slack for the CR of a CRLF).
          if (total > max_record_ + 1) {
            on_reject("oversized", "record exceeds max_record " + std::to_string(max_record_) +
                                       " (" + std::to_string(total) +
                                       " bytes so far without a line feed); discarding up to "
                                       "the next line feed");
            buf_.clear();
            state_ = state::lf_discard;
          } else {
            buf_.append(seg);
          }
          p = end;
          break;
        }
        p = stop + 1;
        state_ = state::frame_start;
        if (total > max_record_) {
          const std::size_t len = record_length(buf_, seg);
          if (len > max_record_) {
            buf_.clear();
            on_reject("oversized", oversized_detail(len, max_record_));
            break;
          }
        }
        std::string_view rec;
        if (buf_.empty()) {
          rec = seg;
        } else {
          buf_.append(seg);
          rec = buf_;
        }
        rec = strip_cr(rec);
        if (!rec.empty()) on_record(rec);
        buf_.clear();
        break;
      }

      case state::lf_discard: {
        const char* stop = find_terminator(p, end);
        if (stop == end) {
          p = end;
        } else {
          p = stop + 1;
          state_ = state::frame_start;
        }
        break;
      }
    }
  }
  return state_ != state::failed;
}

void syslog_framer::finish(record_fn on_record, reject_fn on_reject) {
  switch (state_) {
    case state::lf_record: {
      const std::size_t len = record_length(buf_, {});
      const std::string_view rec = strip_cr(buf_);
      if (len > max_record_)
        on_reject("oversized", oversized_detail(len, max_record_));
      else if (!rec.empty())
        on_record(rec);
      break;
    }
    case state::octet_len:
      on_reject("truncated", "stream ended inside an octet count");
      break;
    case state::octet_body:
      on_reject("truncated", "stream ended after " + std::to_string(buf_.size()) + " of " +
                                 std::to_string(octet_len_) + " bytes of an octet-counted record");
      break;
    default:
      break;
  }
  reset();
}

void syslog_framer::abandon(std::string_view why, reject_fn on_reject) {
  switch (state_) {
    case state::lf_record:
      on_reject("truncated", "unterminated record of " + std::to_string(buf_.size()) +
                                 " bytes lost: " + std::string(why));
      break;
    case state::octet_len:
      on_reject("truncated", "octet count lost: " + std::string(why));
      break;
    case state::octet_body:
      on_reject("truncated", std::to_string(buf_.size()) + " of " + std::to_string(octet_len_) +
                                 " bytes of an octet-counted record lost: " + std::string(why));
      break;
    default:
      break;
  }
  reset();
}

}  // namespace seerflow::net
