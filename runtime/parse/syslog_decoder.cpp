#include "runtime/parse/syslog_decoder.hpp"

#include <string>

#include "runtime/parse/admit_record.hpp"
#include "runtime/parse/raw_decoder.hpp"
#include "runtime/parse/timestamp.hpp"

namespace seerflow::parse {

namespace {

constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// RFC 5424 PRINTUSASCII
constexpr bool is_print_ascii(char c) {
  return c >= 33 && c <= 126;
}

char at(std::string_view s, std::size_t i) {
  return i < s.size() ? s[i] : '\0';
}

// Facts read from a record, as views into it, before anything is written to the event.
struct parsed {
  int pri = -1;
  bool has_time = false;
  std::int64_t time_ns = 0;
  std::string_view host, app, procid, msgid, message, sd;
};

// "<" 1*3DIGIT ">" with no leading zero and a value up to 191. `i` is left after '>'.
bool parse_pri(std::string_view s, std::size_t& i, int& pri, rejection& why) {
  std::size_t j = 1;
  int value = 0;
  while (j < s.size() && is_digit(s[j]) && j <= 4) value = value * 10 + (s[j++] - '0');
  const std::size_t digits = j - 1;
  if (digits == 0) return reject(why, "bad_pri", "PRI has no digits");
  if (digits > 3) return reject(why, "bad_pri", "PRI has more than 3 digits");
  if (at(s, j) != '>' || j >= s.size()) return reject(why, "bad_pri", "PRI is not closed by '>'");
  if (digits > 1 && s[1] == '0') return reject(why, "bad_pri", "PRI has a leading zero");
  if (value > 191) return reject(why, "bad_pri", "PRI " + std::to_string(value) + " is above 191");
  pri = value;
  i = j + 1;
  return true;
}

// One RFC 5424 header field followed by SP: 1..max_len PRINTUSASCII, "-" meaning nil.
bool header_field(std::string_view s, std::size_t& i, std::size_t max_len, const char* name,
                  std::string_view& out, rejection& why) {
  std::size_t j = i;
  while (j < s.size() && s[j] != ' ') {
    if (!is_print_ascii(s[j]))
      return reject(why, "bad_header",
                    std::string(name) + " has a byte that is not printable ASCII");
    ++j;
  }
  if (j == i) return reject(why, "bad_header", std::string(name) + " is empty");
  if (j - i > max_len)
    return reject(why, "bad_header",
                  std::string(name) + " is longer than " + std::to_string(max_len) + " bytes");
  if (j >= s.size()) return reject(why, "bad_header", std::string("record ends after ") + name);
  out = s.substr(i, j - i);
  if (out == "-") out = {};
  i = j + 1;
  return true;
}

constexpr bool is_sd_name_char(char c) {
  return is_print_ascii(c) && c != '=' && c != ']' && c != '"';
}

// SD-NAME at s[i]: 1..32 PRINTUSASCII except '=', SP, ']' and '"'.
bool sd_name(std::string_view s, std::size_t& i, const char* what, std::string_view& out,
             rejection& why) {
  std::size_t j = i;
  while (j < s.size() && is_sd_name_char(s[j])) ++j;
  if (j == i) return reject(why, "bad_structured_data", std::string(what) + " is empty");
  if (j - i > 32)
    return reject(why, "bad_structured_data", std::string(what) + " is longer than 32 bytes");
  out = s.substr(i, j - i);
  i = j;
  return true;
}

// PARAM-VALUE with RFC 5424 escapes: '\' before '"', '\' or ']' stands for that character; before
// anything else the backslash is kept.
void unescape_param(std::string_view v, std::string& out) {
  out.clear();
  out.reserve(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) {
    if (v[k] == '\\' && k + 1 < v.size() &&
        (v[k + 1] == '"' || v[k + 1] == '\\' || v[k + 1] == ']'))
      ++k;
    out.push_back(v[k]);
  }
}

// STRUCTURED-DATA = 1*SD-ELEMENT, each "[" SD-ID *(SP PARAM-NAME "=" DQUOTE PARAM-VALUE DQUOTE)
// "]". Validates `sd` (which must be exactly the elements) and, when `fields` is given, appends
// one field per parameter (or per parameter-less element).
bool scan_structured_data(std::string_view s, std::vector<model::field>* fields, rejection& why) {
  std::size_t i = 0;
  std::string_view id, name;
  while (i < s.size()) {
    if (s[i] != '[')
      return reject(why, "bad_structured_data",
                    "expected '[' at byte " + std::to_string(i) + " of STRUCTURED-DATA");
    ++i;
    if (!sd_name(s, i, "SD-ID", id, why)) return false;
    bool has_params = false;
    while (true) {
      if (i >= s.size()) return reject(why, "bad_structured_data", "SD-ELEMENT is not closed");
      if (s[i] == ']') {
        ++i;
        break;
      }
      if (s[i] != ' ')
        return reject(why, "bad_structured_data",
                      "unexpected byte after SD-ID or parameter at byte " + std::to_string(i));
      ++i;
      if (!sd_name(s, i, "PARAM-NAME", name, why)) return false;
      if (at(s, i) != '=' || at(s, i + 1) != '"' || i + 1 >= s.size())
        return reject(why, "bad_structured_data",
                      "PARAM-NAME is not followed by =\" at byte " + std::to_string(i));
      i += 2;
      const std::size_t begin = i;
      while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
      if (i >= s.size()) return reject(why, "bad_structured_data", "PARAM-VALUE is not closed");
      if (fields != nullptr) {
        model::field f;
        f.key.reserve(id.size() + 1 + name.size());
        f.key.append(id).append(1, '.').append(name);
        unescape_param(s.substr(begin, i - begin), f.value);
        fields->push_back(std::move(f));
      }
      ++i;
      has_params = true;
    }
    if (!has_params && fields != nullptr) fields->push_back(model::field{std::string(id), {}});
  }
  return true;
}

// Length of the STRUCTURED-DATA at s[i..]: up to the SP or end that follows the last element.
bool find_structured_data_end(std::string_view s, std::size_t i, std::size_t& end, rejection& why) {
  if (at(s, i) == '-' && i < s.size()) {
    end = i + 1;
    if (end < s.size() && s[end] != ' ')
      return reject(why, "bad_structured_data",
                    "nil STRUCTURED-DATA is followed by a byte other than SP");
    return true;
  }
  if (at(s, i) != '[' || i >= s.size())
    return reject(why, "bad_structured_data", "STRUCTURED-DATA is neither '-' nor '['");
  // Element boundaries: ']' outside a quoted value, then '[' continues, SP or end stops.
  bool quoted = false;
  for (std::size_t j = i; j < s.size(); ++j) {
    const char c = s[j];
    if (quoted) {
      if (c == '\\')
        ++j;
      else if (c == '"')
        quoted = false;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ']' && (j + 1 == s.size() || s[j + 1] == ' ')) {
      end = j + 1;
      return true;
    }
  }
  return reject(why, "bad_structured_data", "STRUCTURED-DATA is not closed");
}

bool parse_5424(std::string_view s, std::size_t i, parsed& p, rejection& why) {
  std::string_view stamp;
  if (!header_field(s, i, 64, "TIMESTAMP", stamp, why)) return false;
  if (!stamp.empty()) {
    if (!parse_rfc3339(stamp, p.time_ns))
      return reject(why, "bad_header", "TIMESTAMP is not an RFC 3339 date-time");
    p.has_time = true;
  }
  if (!header_field(s, i, 255, "HOSTNAME", p.host, why) ||
      !header_field(s, i, 48, "APP-NAME", p.app, why) ||
      !header_field(s, i, 128, "PROCID", p.procid, why) ||
      !header_field(s, i, 32, "MSGID", p.msgid, why))
    return false;
  std::size_t end = 0;
  if (!find_structured_data_end(s, i, end, why)) return false;
  if (s[i] == '[') {
    p.sd = s.substr(i, end - i);
    if (!scan_structured_data(p.sd, nullptr, why)) return false;
  }
  if (end < s.size()) {
    std::string_view msg = s.substr(end + 1);
    if (msg.substr(0, 3) == "\xEF\xBB\xBF") msg.remove_prefix(3);
    p.message = msg;
  }
  return true;
}

// A syslog TAG: "name[pid]" optionally followed by ':', or "name:", then SP or the end.
bool parse_tag(std::string_view s, std::size_t i, std::string_view& app, std::string_view& pid,
               std::size_t& msg_begin) {
  std::size_t j = i;
  while (j < s.size() && s[j] != ' ' && s[j] != '[' && s[j] != ':') ++j;
  if (j == i || j >= s.size() || s[j] == ' ') return false;
  std::size_t m = j;
  if (s[j] == '[') {
    std::size_t k = j + 1;
    while (k < s.size() && s[k] != ']' && s[k] != ' ') ++k;
    if (k == j + 1 || at(s, k) != ']' || k >= s.size()) return false;
    pid = s.substr(j + 1, k - j - 1);
    m = k + 1;
    if (at(s, m) == ':' && m < s.size()) ++m;
  } else {
    ++m;  // the ':'
  }
  if (m < s.size() && s[m] != ' ') return false;
  app = s.substr(i, j - i);
  msg_begin = m < s.size() ? m + 1 : m;
  return true;
}

// A first token that ends in ':' or holds '[' is a TAG, so the sender left out HOSTNAME (as
// local sockets do) - unless it reads as an IPv6 address.
bool looks_like_tag(std::string_view t) {
  if (t.find('[') != std::string_view::npos) return true;
  if (t.empty() || t.back() != ':') return false;
  std::size_t colons = 0;
  for (char c : t) {
    const bool hex = is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (c == ':')
      ++colons;
    else if (!hex && c != '.')
      return true;
  }
  return colons < 2;
}

// RFC 3164 after the timestamp and its SP: [HOSTNAME SP] [TAG] MSG.
void parse_3164_rest(std::string_view s, std::size_t i, parsed& p) {
  while (i < s.size() && s[i] == ' ') ++i;
  std::size_t j = i;
  while (j < s.size() && s[j] != ' ') ++j;
  if (!looks_like_tag(s.substr(i, j - i))) {
    p.host = s.substr(i, j - i);
    i = j;
    while (i < s.size() && s[i] == ' ') ++i;
  }
  std::size_t msg_begin = i;
  if (!parse_tag(s, i, p.app, p.procid, msg_begin)) msg_begin = i;
  p.message = s.substr(msg_begin);
}

}  // namespace

bool decode_syslog(std::string_view record, const decode_options& opts, model::event& ev,
                   rejection& why, decode_notes& notes) {
  std::string scratch;
  std::string_view s;
  if (!admit_record(record, opts, scratch, s, why, notes)) return false;

  parsed p;
  std::size_t i = 0;
  if (s[0] == '<' && !parse_pri(s, i, p.pri, why)) return false;
  const bool has_pri = p.pri >= 0;

  bool is_5424 = false;
  if (has_pri && is_digit(at(s, i))) {
    // VERSION = NONZERO-DIGIT 0*2DIGIT, then SP. Digits followed by anything else are left to
    // RFC 3164 (an ISO timestamp starts with digits too).
    std::size_t j = i;
    while (j < s.size() && is_digit(s[j]) && j - i < 4) ++j;
    if (at(s, j) == ' ' && j - i <= 3 && s[i] != '0') {
      if (j - i != 1 || s[i] != '1')
        return reject(why, "bad_version",
                      "syslog version " + std::string(s.substr(i, j - i)) + " is not 1");
      if (!parse_5424(s, j + 1, p, why)) return false;
      is_5424 = true;
    }
  }

  if (!is_5424) {
    const std::size_t n = parse_syslog_timestamp(s.substr(i), opts.time, p.time_ns);
    if (n > 0 && (i + n == s.size() || s[i + n] == ' ')) {
      p.has_time = true;
      parse_3164_rest(s, i + n, p);
    } else if (n > 0 && has_pri && s[i + n] == ':') {
      // Cisco IOS and others: "<189>Mar  1 18:46:11.123: %LINK-3-UPDOWN: ...", no host or tag.
      p.has_time = true;
      std::size_t m = i + n + 1;
      while (m < s.size() && s[m] == ' ') ++m;
      p.message = s.substr(m);
    } else if (has_pri) {
      // RFC 3164 §4.3.2: a valid PRI without a valid TIMESTAMP; the rest is the message.
      p.message = s.substr(i);
    } else {
      if (!message_fits(s, opts, why)) return false;
      fill_plain_event(s, opts.time, ev, notes);
      notes.header_missing = true;
      return true;
    }
  }

  if (!message_fits(p.message, opts, why)) return false;

  if (p.has_time) {
    ev.time_ns = p.time_ns;
    ev.time_from_log = true;
  } else {
    ev.time_from_log = false;
    notes.time_missing = true;
  }
  ev.facility = has_pri ? static_cast<std::int8_t>(p.pri / 8) : model::unknown_code;
  ev.severity = has_pri ? static_cast<std::int8_t>(p.pri % 8) : model::unknown_code;
  ev.host.assign(p.host);
  ev.app.assign(p.app);
  ev.procid.assign(p.procid);
  ev.msgid.assign(p.msgid);
  ev.message.assign(p.message);
  ev.fields.clear();
  if (!p.sd.empty()) scan_structured_data(p.sd, &ev.fields, why);
  return true;
}

}  // namespace seerflow::parse
