#include "runtime/parse/raw_decoder.hpp"

#include <string>

#include "runtime/parse/admit_record.hpp"
#include "runtime/parse/level_word.hpp"
#include "runtime/parse/timestamp.hpp"

namespace seerflow::parse {

void fill_plain_event(std::string_view text, const time_context& time, model::event& ev,
                      decode_notes& notes) {
  std::int64_t t = 0;
  const std::size_t n = parse_leading_timestamp(text, time, t);
  if (n > 0) {
    ev.time_ns = t;
    ev.time_from_log = true;
    notes.time_prefix = n;
  } else {
    ev.time_from_log = false;
    notes.time_missing = true;
  }
  ev.facility = model::unknown_code;
  ev.severity = static_cast<std::int8_t>(find_level_word(text.substr(n)));
  ev.host.clear();
  ev.app.clear();
  ev.procid.clear();
  ev.msgid.clear();
  ev.message.assign(text);
  ev.fields.clear();
}

bool decode_raw(std::string_view line, const decode_options& opts, model::event& ev, rejection& why,
                decode_notes& notes) {
  std::string scratch;
  std::string_view text;
  if (!admit_record(line, opts, scratch, text, why, notes)) return false;
  if (!message_fits(text, opts, why)) return false;
  fill_plain_event(text, opts.time, ev, notes);
  return true;
}

}  // namespace seerflow::parse
