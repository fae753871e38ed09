#pragma once
// The checks every decoder makes before it looks at a record's syntax: trailing CR, LF and NUL
// stripped; empty, oversized and binary records rejected; invalid UTF-8 rejected or repaired.
#include <string>
#include <string_view>

#include "runtime/parse/decode_options.hpp"
#include "runtime/parse/rejection.hpp"

namespace seerflow::parse {

// On success `text` views what to decode: the record itself, or `scratch` holding its repaired
// copy (allocated only when a repair was needed). Resets `notes`.
bool admit_record(std::string_view record, const decode_options& opts, std::string& scratch,
                  std::string_view& text, rejection& why, decode_notes& notes);

// What one pass over a record tells: whether util::looks_binary would call it binary (same rule:
// a NUL, or more than an eighth of the bytes C0 controls other than tab, CR, LF), and whether it
// is pure ASCII (so UTF-8 validation can be skipped). Eight bytes at a time for plain text.
struct record_scan {
  bool binary = false;
  bool ascii = true;
};
record_scan scan_record(std::string_view record);

// Fills `why` and returns false, so a decoder can `return reject(why, "bad_pri", ...)`.
inline bool reject(rejection& why, std::string_view reason, std::string detail) {
  why.reason = reason;
  why.detail = std::move(detail);
  return false;
}

// Rejects a message longer than opts.max_message; true when it fits.
bool message_fits(std::string_view message, const decode_options& opts, rejection& why);

}  // namespace seerflow::parse
