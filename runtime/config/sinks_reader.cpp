#include "runtime/config/sinks_reader.hpp"

#include <algorithm>
#include <array>

#include "runtime/config/value_syntax.hpp"

namespace seerflow::config {
namespace {

constexpr std::array<node_key, 13> keys{{
    {"name", "name", "the type", "unique name; the sink actor is sink-<name>"},
    {"type", "slack|teams|webhook|pagerduty", "(required)", "payload format of the endpoint"},
    {"url", "URL", "(required; pagerduty: Events API v2)", "endpoint, ${ENV} allowed"},
    {"secret", "string", "\"\"", "webhook: HMAC-SHA256 key of X-Seerflow-Signature"},
    {"routing_key", "string", "(required for pagerduty)", "pagerduty: integration routing key"},
    {"min_severity", "low|medium|high|critical", "low", "alerts below this are not sent"},
    {"kinds", "list of names", "[]", "only these alert kinds (empty = all)"},
    {"rules", "list of names", "[]", "only these rule ids or detectors (empty = all)"},
    {"tactics", "list of names", "[]",
     "only alerts with one of these ATT&CK tactics (empty = all)"},
    {"timeout", "duration 100ms..10m", "10s", "one HTTP attempt at most this long"},
    {"max_retries", "integer 0..1000", "8", "retries of 429/5xx/network errors, then failed"},
    {"backoff_initial", "duration 10ms..1h", "1s", "first retry delay (doubles, with jitter)"},
    {"backoff_max", "duration 10ms..1d", "5m", "longest retry delay"},
}};

constexpr std::array<std::string_view, 4> types{"slack", "teams", "webhook", "pagerduty"};
constexpr std::array<std::string_view, 4> severities{"low", "medium", "high", "critical"};

template <std::size_t N>
bool one_of(std::string_view v, const std::array<std::string_view, N>& xs) {
  return std::find(xs.begin(), xs.end(), v) != xs.end();
}

class sink_reader {
 public:
  sink_reader(read_context& ctx) : ctx_(ctx) {
    for (const auto& k : keys) names_.emplace_back(k.key);
  }

  bool read(const yaml_node& n, const std::string& path, sink_settings& s) {
    const std::size_t errors_before = ctx_.error_count();
    s.where = ctx_.where(n);
    if (!n.is_mapping()) {
      ctx_.error(
          n, path,
          "expected a mapping with type, url, ... , got " + std::string(describe_kind(n.type)));
      return false;
    }
    bool has_type = false;
    ctx_.for_each_entry(
        n, path, [&](const std::string& key, const yaml_node& k, const yaml_node& v) {
          const std::string full = path + "." + key;
          if (v.is_null()) return;
          if (key == "kinds" || key == "rules" || key == "tactics") {
            auto& list = key == "kinds" ? s.kinds : key == "rules" ? s.rules : s.tactics;
            read_names(v, full, list);
            return;
          }
          std::string text;
          if (key == "name" || key == "type" || key == "url" || key == "secret" ||
              key == "routing_key" || key == "min_severity") {
            if (!ctx_.scalar(v, full, "a string", text)) return;
            if (key == "name") {
              if (!is_valid_name(text))
                return ctx_.error(v, full,
                                  "expected a name of A-Z, a-z, 0-9, '_', '.', '-', got " +
                                      quote_for_message(text));
              s.name = text;
            } else if (key == "type") {
              if (!one_of(text, types))
                return ctx_.error(v, full,
                                  "expected one of slack|teams|webhook|pagerduty, got " +
                                      quote_for_message(text));
              s.type = text;
              has_type = true;
            } else if (key == "url") {
              if (!text.starts_with("http://") && !text.starts_with("https://"))
                return ctx_.error(
                    v, full, "expected an http:// or https:// URL, got " + quote_for_message(text));
              s.url = text;
            } else if (key == "secret") {
              s.secret = text;
            } else if (key == "routing_key") {
              s.routing_key = text;
            } else {
              if (!one_of(text, severities))
                return ctx_.error(
                    v, full,
                    "expected one of low|medium|high|critical, got " + quote_for_message(text));
              s.min_severity = text;
            }
            return;
          }
          if (key == "timeout" || key == "backoff_initial" || key == "backoff_max") {
            if (!ctx_.scalar(v, full, "a duration", text)) return;
            std::int64_t ms = 0;
            bool overflow = false;
            const std::int64_t lo = key == "timeout" ? 100 : 10;
            const std::int64_t hi = key == "timeout"       ? 600000
                                    : key == "backoff_max" ? 86400000
                                                           : 3600000;
            if (!parse_duration_ms(text, ms, overflow) || overflow || ms < lo || ms > hi)
              return ctx_.error(v, full,
                                "expected a duration of " + format_duration_ms(lo) + ".." +
                                    format_duration_ms(hi) + ", got " + quote_for_message(text));
            (key == "timeout"       ? s.timeout_ms
             : key == "backoff_max" ? s.backoff_max_ms
                                    : s.backoff_initial_ms) = ms;
            return;
          }
          if (key == "max_retries") {
            if (!ctx_.scalar(v, full, "an integer", text)) return;
            std::int64_t n2 = 0;
            bool overflow = false;
            if (!parse_integer(text, n2, overflow) || overflow || n2 < 0 || n2 > 1000)
              return ctx_.error(v, full,
                                "expected an integer 0..1000, got " + quote_for_message(text));
            s.max_retries = static_cast<int>(n2);
            return;
          }
          ctx_.error(k, full, unknown_key_message(key, names_));
        });
    if (!has_type && ctx_.error_count() == errors_before) {
      ctx_.error(n, path + ".type", "every sink needs a type: slack, teams, webhook or pagerduty");
      return false;
    }
    if (ctx_.error_count() != errors_before) return false;
    if (s.name.empty()) s.name = s.type;
    if (s.type == "pagerduty" && s.url.empty()) s.url = pagerduty_events_url;
    if (s.url.empty()) {
      ctx_.error(n, path + ".url", "a " + s.type + " sink needs a url");
      return false;
    }
    if (s.type == "pagerduty" && s.routing_key.empty()) {
      ctx_.error(n, path + ".routing_key", "a pagerduty sink needs a routing_key");
      return false;
    }
    if (s.backoff_max_ms < s.backoff_initial_ms) {
      ctx_.error(n, path + ".backoff_max", "backoff_max is shorter than backoff_initial");
      return false;
    }
    return true;
  }

 private:
  void read_names(const yaml_node& v, const std::string& key, std::vector<std::string>& out) {
    if (!v.is_sequence()) {
      ctx_.error(
          v, key,
          "expected a list such as [sigma, risk], got " + std::string(describe_kind(v.type)));
      return;
    }
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      std::string text;
      const std::string item = key + "[" + std::to_string(i) + "]";
      if (!ctx_.scalar(v.items[i], item, "a name", text)) continue;
      if (text.empty()) {
        ctx_.error(v.items[i], item, "expected a name, got an empty text");
        continue;
      }
      out.push_back(std::move(text));
    }
  }

  read_context& ctx_;
  std::vector<std::string> names_;
};

}  // namespace

void read_sinks(const yaml_node& node, read_context& ctx, std::vector<sink_settings>& out) {
  const std::string key = "alerts.sinks";
  if (node.is_alias()) {
    ctx.error(node, key, "YAML aliases are not supported (*" + node.text + "); write it out");
    return;
  }
  if (!node.is_sequence()) {
    ctx.error(node, key,
              "expected a sequence of sinks (- type: slack ...), got " +
                  std::string(describe_kind(node.type)));
    return;
  }
  if (node.items.size() > max_sinks) {
    ctx.error(node, key, "more than " + std::to_string(max_sinks) + " sinks");
    return;
  }
  sink_reader reader(ctx);
  std::vector<sink_settings> sinks;
  bool ok = true;
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const std::string path = key + "[" + std::to_string(i) + "]";
    sink_settings s;
    if (!reader.read(node.items[i], path, s)) {
      ok = false;
      continue;
    }
    for (const auto& other : sinks) {
      if (other.name == s.name) {
        ctx.error(node.items[i], path + ".name",
                  "two sinks are named '" + s.name + "' (give each a distinct name)");
        ok = false;
      }
    }
    sinks.push_back(std::move(s));
  }
  if (ok) out = std::move(sinks);
}

std::span<const node_key> sink_keys() {
  return keys;
}

}  // namespace seerflow::config
