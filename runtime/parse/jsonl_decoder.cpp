#include "runtime/parse/jsonl_decoder.hpp"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "runtime/parse/admit_record.hpp"
#include "runtime/parse/json_flattener.hpp"
#include "runtime/parse/syslog_names.hpp"
#include "runtime/parse/timestamp.hpp"

namespace seerflow::parse {

namespace {

using kind = json_kind;

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
bool take(const json_flattener& f, std::vector<bool>& used,
          std::initializer_list<std::string_view> keys, Accept&& accept) {
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

  json_flattener f;
  if (!f.flatten(text)) return reject(why, f.error_reason, std::move(f.error_detail));

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
  std::size_t kept = 0;
  for (std::size_t i = 0; i < f.members.size(); ++i)
    if (!used[i]) {
      if (kept != i) f.members[kept] = std::move(f.members[i]);
      ++kept;
    }
  f.members.resize(kept);
  ev.fields.swap(f.members);
  return true;
}

}  // namespace seerflow::parse
