#include "runtime/webhook/webhook_mapper.hpp"

#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "runtime/parse/syslog_names.hpp"
#include "runtime/parse/timestamp.hpp"

namespace seerflow::webhook {

namespace {

using json = nlohmann::json;

std::optional<value_spec> compile_one(const std::string& name, const std::string& spec,
                                      std::string& error) {
  if (spec.empty()) return std::nullopt;
  std::string why;
  auto v = value_spec::parse(spec, why);
  if (!v) error = name + ": " + why;
  return v;
}

bool has_field(const model::event& ev, std::string_view key) {
  for (const auto& f : ev.fields)
    if (f.key == key) return true;
  return false;
}

// Leaves as dotted keys, arrays as compact JSON, as JSON lines input does, so a Sigma rule reads
// the same key for the same data from either.
void flatten(const json& v, std::string& key, model::event& ev, const mapper_limits& lim) {
  if (ev.fields.size() >= lim.max_fields) return;
  if (v.is_object() && !v.empty()) {
    const auto base = key.size();
    for (const auto& [k, child] : v.items()) {
      if (base) key += '.';
      key += k;
      flatten(child, key, ev, lim);
      key.resize(base);
      if (ev.fields.size() >= lim.max_fields) return;
    }
    return;
  }
  if (key.empty() || has_field(ev, key)) return;
  ev.fields.push_back({key, value_text(v, lim.max_value)});
}

bool epoch_to_ns(double x, std::int64_t& ns) {
  if (!std::isfinite(x) || x < 0) return false;
  double scale;
  if (x < 1e11)
    scale = 1e9;
  else if (x < 1e14)
    scale = 1e6;
  else if (x < 1e17)
    scale = 1e3;
  else
    scale = 1;
  const double v = x * scale;
  if (v > 4.1e18) return false;  // past 2100
  ns = static_cast<std::int64_t>(v);
  return true;
}

// Integers exactly: a double loses the last digits of epoch nanoseconds.
bool epoch_to_ns(std::uint64_t x, std::int64_t& ns) {
  std::uint64_t scale;
  if (x < 100'000'000'000ULL)
    scale = 1'000'000'000;
  else if (x < 100'000'000'000'000ULL)
    scale = 1'000'000;
  else if (x < 100'000'000'000'000'000ULL)
    scale = 1'000;
  else
    scale = 1;
  if (x > 4'100'000'000'000'000'000ULL / scale) return false;  // past 2100
  ns = static_cast<std::int64_t>(x * scale);
  return true;
}

}  // namespace

bool nesting_exceeds(std::string_view s, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

int severity_of(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) {
    const auto n = v.get<std::int64_t>();
    return n >= 0 && n <= 7 ? static_cast<int>(n) : -1;
  }
  if (!v.is_string()) return -1;
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() == 1 && s[0] >= '0' && s[0] <= '7') return s[0] - '0';
  const int sev = parse::severity_from_text(s);
  if (sev >= 0) return sev;
  if (s == "Normal" || s == "normal") return 6;  // Kubernetes event type
  return -1;
}

std::optional<std::int64_t> time_of(const json& v) {
  std::int64_t ns = 0;
  if (v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    if (epoch_to_ns(v.get<std::uint64_t>(), ns)) return ns;
    return std::nullopt;
  }
  if (v.is_number()) {
    if (epoch_to_ns(v.get<double>(), ns)) return ns;
    return std::nullopt;
  }
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  if (parse::parse_rfc3339(s, ns)) return ns;
  std::uint64_t u = 0;
  if (const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), u);
      !s.empty() && ec == std::errc() && p == s.data() + s.size())
    return epoch_to_ns(u, ns) ? std::optional<std::int64_t>(ns) : std::nullopt;
  double d = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (!s.empty() && ec == std::errc() && p == s.data() + s.size() && epoch_to_ns(d, ns)) return ns;
  return std::nullopt;
}

std::optional<webhook_mapper> webhook_mapper::compile(const mapping_spec& spec,
                                                      std::string default_app, mapper_limits limits,
                                                      std::string& error) {
  webhook_mapper m;
  m.default_app_ = std::move(default_app);
  m.lim_ = limits;
  m.flatten_ = spec.flatten;
  error.clear();
  if (!spec.records.empty()) {
    std::string why;
    m.records_ = json_path::parse(spec.records, why);
    if (!m.records_) {
      error = "records: " + why;
      return std::nullopt;
    }
  }
  m.message_ = compile_one("message", spec.message, error);
  m.host_ = compile_one("host", spec.host, error);
  m.app_ = compile_one("app", spec.app, error);
  m.user_ = compile_one("user", spec.user, error);
  m.severity_ = compile_one("severity", spec.severity, error);
  m.timestamp_ = compile_one("timestamp", spec.timestamp, error);
  for (const auto& [name, s] : spec.fields) {
    if (name.empty()) {
      error = "fields: a field needs a name";
      break;
    }
    auto v = compile_one("fields." + name, s, error);
    if (v) m.fields_.emplace_back(name, std::move(*v));
  }
  if (!error.empty()) return std::nullopt;
  return m;
}

void webhook_mapper::map_record(const json& rec, model::event& ev) const {
  if (message_)
    if (auto t = message_->render(rec, lim_.max_message)) ev.message = std::move(*t);
  if (ev.message.empty()) ev.message = value_text(rec, lim_.max_message);
  if (host_)
    if (auto t = host_->render(rec, lim_.max_value)) ev.host = std::move(*t);
  if (app_)
    if (auto t = app_->render(rec, lim_.max_value)) ev.app = std::move(*t);
  if (ev.app.empty()) ev.app = default_app_;
  if (severity_)
    if (const auto* v = severity_->resolve(rec)) {
      const int sev = severity_of(*v);
      if (sev >= 0) ev.severity = static_cast<std::int8_t>(sev);
    }
  if (timestamp_)
    if (const auto* v = timestamp_->resolve(rec))
      if (auto ns = time_of(*v)) {
        ev.time_ns = *ns;
        ev.time_from_log = true;
      }
  if (user_)
    if (auto t = user_->render(rec, lim_.max_value)) ev.fields.push_back({"user", std::move(*t)});
  for (const auto& [name, spec] : fields_) {
    if (ev.fields.size() >= lim_.max_fields) break;
    if (auto t = spec.render(rec, lim_.max_value)) ev.fields.push_back({name, std::move(*t)});
  }
  if (flatten_) {
    std::string key;
    flatten(rec, key, ev, lim_);
  }
}

std::optional<decode_error> webhook_mapper::decode(std::string_view text, std::int64_t arrival_ns,
                                                   const std::string& peer,
                                                   std::vector<model::event>& out) const {
  if (nesting_exceeds(text, lim_.max_depth))
    return decode_error{"too_deep",
                        "JSON nested deeper than " + std::to_string(lim_.max_depth) + " levels"};
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    // e.what() names the byte position and the problem (including invalid UTF-8).
    return decode_error{"bad_json", e.what()};
  }
  const json* records = &doc;
  if (records_) {
    records = records_->resolve(doc);
    if (records == nullptr)
      return decode_error{"no_records", "the payload has no '" + records_->text() + "'"};
  }
  const bool many = records->is_array();
  const std::size_t n = many ? records->size() : 1;
  if (n > lim_.max_records)
    return decode_error{"too_many_records", std::to_string(n) + " records in one payload exceed " +
                                                std::to_string(lim_.max_records)};
  const auto first = out.size();
  out.reserve(first + n);
  for (std::size_t i = 0; i < n; ++i) {
    const json& rec = many ? (*records)[i] : *records;
    model::event ev;
    ev.arrival_ns = arrival_ns;
    ev.peer = peer;
    map_record(rec, ev);
    out.push_back(std::move(ev));
  }
  return std::nullopt;
}

}  // namespace seerflow::webhook
