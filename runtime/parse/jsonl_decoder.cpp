#include "runtime/parse/jsonl_decoder.hpp"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runtime/parse/admit_record.hpp"
#include "runtime/parse/syslog_names.hpp"
#include "runtime/parse/timestamp.hpp"

namespace seerflow::parse {

namespace {

using json = nlohmann::json;

constexpr int max_depth = 64;
constexpr std::size_t max_detail = 200;

enum class kind : std::uint8_t { string, number, boolean, null, composite };

template <class Int>
void append_int(std::string& out, Int v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

// JSON string literal as nlohmann's dump writes it without ensure_ascii.
void append_quoted(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out.append("\\u00");
          out.push_back(hex[(c >> 4) & 0xF]);
          out.push_back(hex[c & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

// SAX handler that flattens one object into (key, text, kind) members without building a DOM.
// Objects push a key prefix; arrays (and everything inside them) are captured as compact JSON.
class flattener {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  std::vector<model::field> members;
  std::vector<kind> kinds;
  std::string_view error_reason;
  std::string error_detail;

  bool null() { return scalar("null", kind::null); }
  bool boolean(bool v) { return scalar(v ? "true" : "false", kind::boolean); }
  bool number_integer(number_integer_t v) { return number(v); }
  bool number_unsigned(number_unsigned_t v) { return number(v); }
  bool number_float(number_float_t, const string_t& lexeme) { return scalar(lexeme, kind::number); }
  bool string(string_t& v) {
    if (depth_ == 0) return not_object();
    if (capturing()) {
      capture_value_prefix();
      append_quoted(capture_, v);
      return true;
    }
    emit(std::move(v), kind::string);
    return true;
  }
  bool binary(binary_t&) { return scalar("null", kind::null); }  // JSON text has no binary

  bool start_object(std::size_t) {
    if (!enter()) return false;
    if (capturing()) {
      capture_value_prefix();
      capture_.push_back('{');
      capture_frames_.push_back({false, true});
      return true;
    }
    if (depth_ == 1) {
      object_frames_.push_back({0, true});
    } else {
      object_frames_.back().empty = false;
      path_.push_back('.');
      object_frames_.push_back({path_.size(), true});
    }
    return true;
  }

  bool key(string_t& k) {
    if (capturing()) {
      auto& f = capture_frames_.back();
      if (!f.first) capture_.push_back(',');
      f.first = false;
      append_quoted(capture_, k);
      capture_.push_back(':');
      return true;
    }
    auto& f = object_frames_.back();
    f.empty = false;
    path_.resize(f.prefix_len);
    path_.append(k);
    return true;
  }

  bool end_object() {
    --depth_;
    if (capturing()) {
      capture_.push_back('}');
      capture_frames_.pop_back();
      return true;
    }
    const bool was_empty = object_frames_.back().empty;
    const std::size_t prefix_len = object_frames_.back().prefix_len;
    object_frames_.pop_back();
    if (object_frames_.empty()) return true;  // the top-level object is complete
    path_.resize(prefix_len - 1);             // back to the member that held this object
    if (was_empty) emit(std::string("{}"), kind::composite);
    return true;
  }

  bool start_array(std::size_t) {
    if (depth_ == 0) return not_object();
    if (!enter()) return false;
    if (!capturing()) {
      capture_base_ = depth_;
      capture_.assign(1, '[');
      capture_frames_.push_back({true, true});
      return true;
    }
    capture_value_prefix();
    capture_.push_back('[');
    capture_frames_.push_back({true, true});
    return true;
  }

  bool end_array() {
    capture_.push_back(']');
    capture_frames_.pop_back();
    if (depth_-- == capture_base_) {
      capture_base_ = 0;
      emit(std::move(capture_), kind::composite);
      capture_.clear();
    }
    return true;
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) {
    error_reason = "bad_json";
    error_detail = "at byte " + std::to_string(position) + ": " + ex.what();
    return false;
  }

 private:
  struct object_frame {
    std::size_t prefix_len;
    bool empty;
  };
  struct capture_frame {
    bool is_array;
    bool first;
  };

  bool capturing() const { return capture_base_ != 0; }

  bool enter() {
    if (++depth_ > max_depth) {
      error_reason = "too_deep";
      error_detail = "JSON nests deeper than " + std::to_string(max_depth) + " levels";
      return false;
    }
    return true;
  }

  bool not_object() {
    error_reason = "not_object";
    error_detail = "the line is JSON but not an object";
    return false;
  }

  void capture_value_prefix() {
    auto& f = capture_frames_.back();
    if (!f.is_array) return;  // key() wrote the separator
    if (!f.first) capture_.push_back(',');
    f.first = false;
  }

  template <class Int>
  bool number(Int v) {
    if (depth_ == 0) return not_object();
    if (capturing()) {
      capture_value_prefix();
      append_int(capture_, v);
      return true;
    }
    std::string text;
    append_int(text, v);
    emit(std::move(text), kind::number);
    return true;
  }

  bool scalar(std::string_view text, kind k) {
    if (depth_ == 0) return not_object();
    if (capturing()) {
      capture_value_prefix();
      capture_.append(text);
      return true;
    }
    emit(std::string(text), k);
    return true;
  }

  void emit(std::string&& value, kind k) {
    members.push_back(model::field{path_, std::move(value)});
    kinds.push_back(k);
  }

  int depth_ = 0;
  int capture_base_ = 0;  // depth of the outermost array being captured; 0 = none
  std::string path_;
  std::string capture_;
  std::vector<object_frame> object_frames_;
  std::vector<capture_frame> capture_frames_;
};

// Epoch number by magnitude, kept exact for decimal text like "1514038530.123456".
bool epoch_from_number(std::string_view text, std::int64_t& out_ns) {
  const std::size_t dot = text.find('.');
  const bool plain =
      !text.empty() && text[0] != '.' &&
      text.find_first_not_of("0123456789.") == std::string_view::npos &&
      (dot == std::string_view::npos || text.find('.', dot + 1) == std::string_view::npos);
  constexpr std::int64_t max_s = 4'102'444'800;  // 2100-01-01
  if (plain) {
    const std::string_view whole = text.substr(0, dot);
    if (whole.empty() || whole.size() > 19) return false;
    std::uint64_t v = 0;
    std::from_chars(whole.data(), whole.data() + whole.size(), v);
    std::int64_t ns_per_unit;
    if (v < 100'000'000'000ULL)
      ns_per_unit = 1'000'000'000;
    else if (v < 100'000'000'000'000ULL)
      ns_per_unit = 1'000'000;
    else if (v < 100'000'000'000'000'000ULL)
      ns_per_unit = 1'000;
    else
      ns_per_unit = 1;
    if (v / static_cast<std::uint64_t>(1'000'000'000 / ns_per_unit) >=
        static_cast<std::uint64_t>(max_s))
      return false;
    std::int64_t ns = static_cast<std::int64_t>(v) * ns_per_unit;
    if (dot != std::string_view::npos) {
      // Fraction of the unit, to nanosecond resolution.
      std::int64_t scale = ns_per_unit / 10;
      for (std::size_t k = dot + 1; k < text.size() && scale > 0; ++k, scale /= 10)
        ns += (text[k] - '0') * scale;
    }
    out_ns = ns;
    return true;
  }
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc{} || !std::isfinite(v) || v < 0) return false;
  double ns;
  if (v < 1e11)
    ns = v * 1e9;
  else if (v < 1e14)
    ns = v * 1e6;
  else if (v < 1e17)
    ns = v * 1e3;
  else
    ns = v;
  if (ns >= static_cast<double>(max_s) * 1e9) return false;
  out_ns = static_cast<std::int64_t>(std::llround(ns));
  return true;
}

int severity_from_member(std::string_view text, kind k) {
  if (k == kind::string) {
    const int s = severity_from_text(text);
    if (s >= 0) return s;
  } else if (k != kind::number) {
    return -1;
  }
  int v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size()) return -1;
  if (v >= 0 && v <= 7) return v;
  switch (v) {  // pino and bunyan
    case 10:
      return 7;
    case 20:
      return 7;
    case 30:
      return 6;
    case 40:
      return 4;
    case 50:
      return 3;
    case 60:
      return 2;
    default:
      return -1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Finds the first member, by key priority, whose value `accept` takes; marks it used.
template <class Accept>
bool take(const flattener& f, std::vector<bool>& used, std::initializer_list<std::string_view> keys,
          Accept&& accept) {
  for (std::string_view key : keys) {
    for (std::size_t i = 0; i < f.members.size(); ++i) {
      if (used[i] || f.members[i].key != key) continue;
      if (accept(i)) {
        used[i] = true;
        return true;
      }
    }
  }
  return false;
}

}  // namespace

bool decode_jsonl(std::string_view line, const decode_options& opts, model::event& ev,
                  rejection& why, decode_notes& notes) {
  std::string scratch;
  std::string_view text;
  if (!admit_record(line, opts, scratch, text, why, notes)) return false;

  flattener f;
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &f);
  } catch (const std::exception& e) {
    // The SAX interface reports syntax errors through parse_error; this is a safety net for
    // anything else the library might throw (allocation failure).
    return reject(why, "bad_json", std::string("JSON parser failed: ") + e.what());
  }
  if (!ok || !f.error_reason.empty()) {
    std::string detail = std::move(f.error_detail);
    if (detail.size() > max_detail) {
      std::size_t cut = max_detail;
      while (cut > 0 && (static_cast<unsigned char>(detail[cut]) & 0xC0) == 0x80) --cut;
      detail.resize(cut);
      detail.append("...");
    }
    return reject(why, f.error_reason.empty() ? std::string_view("bad_json") : f.error_reason,
                  std::move(detail));
  }

  std::vector<bool> used(f.members.size(), false);
  auto is_text = [&](std::size_t i) {
    return f.kinds[i] == kind::string || f.kinds[i] == kind::number || f.kinds[i] == kind::boolean;
  };
  auto is_string = [&](std::size_t i) { return f.kinds[i] == kind::string; };

  std::size_t message_at = 0;
  if (!take(f, used, {"message", "msg", "log", "body", "text"}, [&](std::size_t i) {
        message_at = i;
        return is_text(i);
      }))
    return reject(why, "no_message", "none of message, msg, log, body, text holds a scalar value");
  if (!message_fits(f.members[message_at].value, opts, why)) return false;

  std::int64_t time_ns = 0;
  const bool has_time =
      take(f, used, {"@timestamp", "timestamp", "time", "ts"}, [&](std::size_t i) {
        const std::string_view v = f.members[i].value;
        if (f.kinds[i] == kind::number) return epoch_from_number(v, time_ns);
        if (f.kinds[i] != kind::string) return false;
        const std::string_view t = trim(v);
        return !t.empty() && parse_leading_timestamp(t, opts.time, time_ns) == t.size();
      });
  std::size_t host_at = 0, app_at = 0, pid_at = 0;
  const bool has_host = take(f, used, {"host", "hostname", "host.name"}, [&](std::size_t i) {
    host_at = i;
    return is_string(i);
  });
  const bool has_app =
      take(f, used, {"app", "program", "appname", "service", "service.name", "logger"},
           [&](std::size_t i) {
             app_at = i;
             return is_string(i);
           });
  const bool has_pid = take(f, used, {"pid"}, [&](std::size_t i) {
    pid_at = i;
    return is_string(i) || f.kinds[i] == kind::number;
  });
  int severity = -1;
  take(f, used, {"severity", "level", "log.level"}, [&](std::size_t i) {
    severity = severity_from_member(f.members[i].value, f.kinds[i]);
    return severity >= 0;
  });

  if (has_time) {
    ev.time_ns = time_ns;
    ev.time_from_log = true;
  } else {
    ev.time_from_log = false;
    notes.time_missing = true;
  }
  ev.facility = model::unknown_code;
  ev.severity = static_cast<std::int8_t>(severity);
  ev.message = std::move(f.members[message_at].value);
  if (has_host)
    ev.host = std::move(f.members[host_at].value);
  else
    ev.host.clear();
  if (has_app)
    ev.app = std::move(f.members[app_at].value);
  else
    ev.app.clear();
  if (has_pid)
    ev.procid = std::move(f.members[pid_at].value);
  else
    ev.procid.clear();
  ev.msgid.clear();
  ev.fields.clear();
  ev.fields.reserve(f.members.size());
  for (std::size_t i = 0; i < f.members.size(); ++i)
    if (!used[i]) ev.fields.push_back(std::move(f.members[i]));
  return true;
}

}  // namespace seerflow::parse
