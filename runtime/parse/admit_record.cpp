#include "runtime/parse/admit_record.hpp"

#include <cstdint>
#include <cstring>

#include "runtime/util/utf8.hpp"

namespace seerflow::parse {

record_scan scan_record(std::string_view record) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t highs = 0x8080808080808080ULL;
  const char* p = record.data();
  const std::size_t n = record.size();
  std::size_t controls = 0;
  bool high = false;
  auto byte = [&](unsigned char b) {
    if (b >= 0x80) {
      high = true;
    } else if (b < 0x20 && b != '\t' && b != '\r' && b != '\n') {
      ++controls;
      return b == 0;
    }
    return false;
  };
  // A word is flagged when some byte is below 0x20 or has its high bit set ((w - 0x20..) | w has
  // the high bit of the lowest such byte set; it may also flag clean bytes above it, never miss
  // one). Flagged words are looked at byte by byte.
  auto flagged = [](std::uint64_t w) { return ((w - ones * 0x20) | w) & highs; };
  auto bytes = [&](std::size_t at, std::size_t count) {
    for (std::size_t k = 0; k < count; ++k)
      if (byte(static_cast<unsigned char>(p[at + k]))) return true;
    return false;
  };
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    std::uint64_t w[2];
    std::memcpy(w, p + i, 16);
    if ((flagged(w[0]) | flagged(w[1])) != 0 && bytes(i, 16)) return {true, !high};
  }
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (flagged(w) != 0 && bytes(i, 8)) return {true, !high};
  }
  for (; i < n; ++i)
    if (byte(static_cast<unsigned char>(p[i]))) return {true, !high};
  return {controls * 8 > n, !high};
}

bool admit_record(std::string_view record, const decode_options& opts, std::string& scratch,
                  std::string_view& text, rejection& why, decode_notes& notes) {
  notes = decode_notes{};
  while (!record.empty() &&
         (record.back() == '\n' || record.back() == '\r' || record.back() == '\0'))
    record.remove_suffix(1);
  if (record.empty()) return reject(why, "empty", "record is empty");
  if (record.size() > opts.max_message && record.size() - opts.max_message > opts.max_message)
    return reject(why, "oversized",
                  "record of " + std::to_string(record.size()) + " bytes exceeds twice the " +
                      std::to_string(opts.max_message) + "-byte message limit");
  const record_scan scan = scan_record(record);
  if (scan.binary)
    return reject(why, "binary", "record contains NUL bytes or mostly control characters");
  const std::size_t valid = scan.ascii ? record.size() : util::valid_utf8_prefix(record);
  if (valid == record.size()) {
    text = record;
    return true;
  }
  if (opts.reject_invalid_utf8)
    return reject(why, "invalid_utf8", "invalid UTF-8 at byte " + std::to_string(valid));
  scratch.assign(record);
  util::repair_utf8(scratch);
  notes.utf8_repaired = true;
  text = scratch;
  return true;
}

bool message_fits(std::string_view message, const decode_options& opts, rejection& why) {
  if (message.size() <= opts.max_message) return true;
  return reject(why, "oversized",
                "message of " + std::to_string(message.size()) + " bytes exceeds the limit of " +
                    std::to_string(opts.max_message));
}

}  // namespace seerflow::parse
