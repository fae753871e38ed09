#include "runtime/parse/admit_record.hpp"

#include "runtime/util/utf8.hpp"

namespace seerflow::parse {

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
  if (util::looks_binary(record))
    return reject(why, "binary", "record contains NUL bytes or mostly control characters");
  const std::size_t valid = util::valid_utf8_prefix(record);
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
