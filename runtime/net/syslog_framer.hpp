#pragma once
// Incremental framer for syslog over a byte stream (RFC 6587): octet counting ("<len> <record>")
// and non-transparent framing (records end at LF; CRLF and a NUL terminator are tolerated),
// detected per frame. Records inside one feed() are passed as views into the caller's bytes;
// only a record that straddles two reads is assembled in the framer's own buffer.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/util/function_ref.hpp"

namespace seerflow::net {

class syslog_framer {
 public:
  // detect: a frame starting with a digit is octet-counted, anything else ends at LF (syslog).
  // lf: every frame ends at LF (raw text and JSON lines, which may well start with a digit).
  enum class framing : std::uint8_t { detect, lf };

  // A record, without its terminator; valid only during the call.
  using record_fn = util::function_ref<void(std::string_view record)>;
  // A rejected record or frame: reason is a stable identifier ("oversized", "bad_frame",
  // "empty", "truncated"), detail explains it to a human. Both valid only during the call.
  using reject_fn = util::function_ref<void(std::string_view reason, std::string_view detail)>;

  explicit syslog_framer(std::size_t max_record, framing f = framing::detect);

  // Frames `bytes`. Returns false when the stream is beyond repair (an absurd octet count):
  // the caller closes the connection; records before the bad frame were delivered.
  bool feed(std::string_view bytes, record_fn on_record, reject_fn on_reject);

  // End of stream (the peer closed or half-closed): delivers a trailing unterminated LF record;
  // a partial octet-counted record is rejected as "truncated". The framer is then reset.
  void finish(record_fn on_record, reject_fn on_reject);

  // The stream broke (reset, timeout, shutdown): a partial record is rejected as "truncated"
  // with `why` in its detail. The framer is then reset.
  void abandon(std::string_view why, reject_fn on_reject);

  // True while part of a record (or of an octet count) has been consumed but not delivered.
  bool mid_record() const;
  // Bytes held for a record that straddles reads.
  std::size_t buffered() const { return buf_.size(); }
  bool failed() const { return state_ == state::failed; }

 private:
  enum class state : std::uint8_t {
    frame_start,  // between frames; blank CR/LF/NUL bytes are skipped here
    octet_len,    // reading the digits of an octet count
    octet_body,   // reading `remaining_` bytes of an octet-counted record
    octet_skip,   // consuming `remaining_` bytes of an oversized octet-counted record
    lf_record,    // reading a record up to LF (or NUL)
    lf_discard,   // discarding an oversized record up to its LF (or NUL)
    failed        // a bad frame was seen; the stream cannot be resynchronised
  };

  void reset();

  const std::size_t max_record_;
  const framing framing_;
  state state_ = state::frame_start;
  std::uint64_t octet_len_ = 0;  // octet count being parsed
  unsigned digits_ = 0;          // digits of it seen so far
  std::uint64_t remaining_ = 0;  // bytes still to read or skip in an octet-counted frame
  std::string buf_;              // a record that straddles reads
};

}  // namespace seerflow::net
