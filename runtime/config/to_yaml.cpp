#include "runtime/config/to_yaml.hpp"

#include <yaml-cpp/emitter.h>
#include <yaml-cpp/emittermanip.h>

#include <vector>

#include "runtime/config/interpolate.hpp"
#include "runtime/config/schema.hpp"
#include "runtime/config/value_syntax.hpp"

namespace seerflow::config {
namespace {

std::vector<std::string_view> split(std::string_view key) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t dot = key.find('.'); dot != std::string_view::npos; dot = key.find('.', start)) {
    out.push_back(key.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(key.substr(start));
  return out;
}

void emit_text(YAML::Emitter& out, std::string_view s) {
  out << escape_interpolation(s);
}

// A URL's password (scheme://user:PASSWORD@host) is never printed.
std::string without_password(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto end = url.find_first_of("/?", scheme + 3);
  const auto at = url.rfind('@', end == std::string::npos ? url.size() : end);
  if (at == std::string::npos || at < scheme + 3) return url;
  const auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "(redacted)" + url.substr(at);
}

void emit_value(YAML::Emitter& out, const schema_entry& e, const settings& s) {
  const field_ref f = read_field(e, s);
  if (e.key == "storage.postgresql.url") {
    emit_text(out, without_password(*std::get<std::string*>(f)));
    return;
  }
  switch (e.type) {
    case value_type::boolean:
      out << *std::get<bool*>(f);
      return;
    case value_type::text:
    case value_type::choice:
      emit_text(out, *std::get<std::string*>(f));
      return;
    case value_type::text_list:
      out << YAML::Flow << YAML::BeginSeq;
      for (const auto& item : *std::get<std::vector<std::string>*>(f)) emit_text(out, item);
      out << YAML::EndSeq;
      return;
    case value_type::integer:
    case value_type::number:
    case value_type::duration:
    case value_type::size:
      out << render_value(e, s);
      return;
  }
}

void emit_tree(YAML::Emitter& out, const tree_node& n) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value;
  emit_text(out, n.name);
  if (!n.kind.empty()) {
    out << YAML::Key << "kind" << YAML::Value;
    emit_text(out, n.kind);
  }
  if (n.kind == "supervisor") {
    out << YAML::Key << "strategy" << YAML::Value << n.strategy;
    out << YAML::Key << "max_restarts" << YAML::Value << n.max_restarts;
    out << YAML::Key << "within" << YAML::Value << format_duration_ms(n.within_ms);
    out << YAML::Key << "children" << YAML::Value << YAML::BeginSeq;
    for (const auto& c : n.children) emit_tree(out, c);
    out << YAML::EndSeq;
  } else {
    out << YAML::Key << "restart" << YAML::Value << n.restart;
    if (!n.args.empty()) {
      out << YAML::Key << "args" << YAML::Value << YAML::BeginMap;
      for (const auto& [k, v] : n.args) {
        out << YAML::Key << k << YAML::Value;
        emit_text(out, v);
      }
      out << YAML::EndMap;
    }
  }
  out << YAML::EndMap;
}

// Secrets are not printed: `config show` output ends up in tickets and chat.
void emit_sinks(YAML::Emitter& out, const std::vector<sink_settings>& sinks) {
  out << YAML::Key << "sinks" << YAML::Value << YAML::BeginSeq;
  for (const auto& k : sinks) {
    out << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value;
    emit_text(out, k.name);
    out << YAML::Key << "type" << YAML::Value << k.type;
    out << YAML::Key << "url" << YAML::Value;
    emit_text(out, k.url);
    if (!k.secret.empty()) out << YAML::Key << "secret" << YAML::Value << "(redacted)";
    if (!k.routing_key.empty()) out << YAML::Key << "routing_key" << YAML::Value << "(redacted)";
    out << YAML::Key << "min_severity" << YAML::Value << k.min_severity;
    for (const auto* key : {"kinds", "rules", "tactics"}) {
      const auto& list = std::string_view(key) == "kinds"   ? k.kinds
                         : std::string_view(key) == "rules" ? k.rules
                                                            : k.tactics;
      out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
      for (const auto& item : list) emit_text(out, item);
      out << YAML::EndSeq;
    }
    out << YAML::Key << "timeout" << YAML::Value << format_duration_ms(k.timeout_ms);
    out << YAML::Key << "max_retries" << YAML::Value << k.max_retries;
    out << YAML::Key << "backoff_initial" << YAML::Value
        << format_duration_ms(k.backoff_initial_ms);
    out << YAML::Key << "backoff_max" << YAML::Value << format_duration_ms(k.backoff_max_ms);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
}

}  // namespace

std::string to_yaml(const settings& s) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  // Rows are grouped by section, so sections open and close as the path prefix changes.
  std::vector<std::string_view> open;
  for (const auto& e : schema()) {
    std::vector<std::string_view> parts = split(e.key);
    const std::string_view leaf = parts.back();
    parts.pop_back();
    std::size_t common = 0;
    while (common < open.size() && common < parts.size() && open[common] == parts[common]) {
      ++common;
    }
    while (open.size() > common) {
      out << YAML::EndMap;
      open.pop_back();
    }
    for (std::size_t i = common; i < parts.size(); ++i) {
      out << YAML::Key << std::string(parts[i]) << YAML::Value << YAML::BeginMap;
      open.push_back(parts[i]);
    }
    out << YAML::Key << std::string(leaf) << YAML::Value;
    emit_value(out, e, s);
    // alerts.sinks is a sequence of mappings, not a row: it closes the alerts section.
    if (e.key == "alerts.dedup_keys") emit_sinks(out, s.alerts.sinks);
  }
  while (!open.empty()) {
    out << YAML::EndMap;
    open.pop_back();
  }
  out << YAML::Key << "supervision" << YAML::Value;
  emit_tree(out, s.supervision);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace seerflow::config
