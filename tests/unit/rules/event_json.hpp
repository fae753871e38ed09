#pragma once
// Test helper: fills a field_view from a JSON event the way a caller would (nested objects
// flattened to dotted names, array elements as repeated entries, numbers keep their text).
#include <nlohmann/json.hpp>
#include <string>

#include "rules/engine/field_view.hpp"

namespace seerflow::rules::testing {

inline void add_json(field_view& ev, const std::string& name, const nlohmann::json& v) {
  using nlohmann::json;
  switch (v.type()) {
    case json::value_t::object:
      for (auto it = v.begin(); it != v.end(); ++it)
        add_json(ev, name.empty() ? it.key() : name + "." + it.key(), it.value());
      break;
    case json::value_t::array:
      for (const auto& e : v) add_json(ev, name, e);
      break;
    case json::value_t::string:
      ev.add(name, v.get<std::string>());
      break;
    case json::value_t::boolean:
      ev.add_bool(name, v.get<bool>());
      break;
    case json::value_t::null:
      ev.add_null(name);
      break;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      ev.add(name, v.dump(), value_kind::number);
      break;
    default:
      break;
  }
}

inline void fill(field_view& ev, const nlohmann::json& event) {
  ev.clear();
  add_json(ev, "", event);
}

// "2024-05-01T10:00:20Z" -> nanoseconds since the epoch (UTC, whole seconds).
inline std::int64_t iso_ns(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &se) != 6) return 0;
  y -= mo <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097LL + doe - 719468;
  return ((days * 86400) + h * 3600 + mi * 60 + se) * 1000000000LL;
}

}  // namespace seerflow::rules::testing
