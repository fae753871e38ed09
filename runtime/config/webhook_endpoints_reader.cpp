#include "runtime/config/webhook_endpoints_reader.hpp"

#include <array>
#include <set>

#include "runtime/config/value_syntax.hpp"

namespace seerflow::config {

namespace {

constexpr std::size_t max_endpoints = 1000;
constexpr std::size_t max_mapped_fields = 256;

constexpr std::array<node_key, 15> endpoint_keys{{
    {"path", "text", "(required)", "exact URL path served with POST, such as /hooks/github"},
    {"source", "name", "receivers.webhooks.source", "the source actor this endpoint feeds"},
    {"auth", "none|bearer|hmac", "none", "how senders authenticate"},
    {"token", "text", "(required for bearer)", "bearer: the token after 'Authorization: Bearer'"},
    {"secret", "text", "(required for hmac)", "hmac: the shared secret of HMAC-SHA256"},
    {"signature_header", "text", "X-Hub-Signature-256",
     "hmac: the header carrying sha256=<hex> of the raw body"},
    {"records", "JSON path", "\"\"",
     "array of records inside the payload (items of a Kubernetes EventList); a top-level array "
     "is always one record per element"},
    {"message", "JSON path or template", "the record as JSON",
     "event message: a path (commits.0.author.name, or the JSON pointer /a/b.c~1d) or a "
     "template (\"{action} by {sender.login}\")"},
    {"host", "JSON path or template", "\"\"", "event host"},
    {"app", "JSON path or template", "last segment of path", "event app (program)"},
    {"user", "JSON path or template", "\"\"", "becomes the field 'user' (a user entity)"},
    {"severity", "JSON path", "\"\"", "a syslog number 0-7, a level word, or Normal/Warning"},
    {"timestamp", "JSON path", "\"\"", "RFC 3339 text or epoch s/ms/us/ns; else arrival time"},
    {"fields", "mapping", "{}", "field name -> JSON path or template, for Sigma rules"},
    {"flatten", "boolean", "true", "also keep every leaf of the record as a dotted-key field"},
}};

const node_key* find_key(std::string_view k) {
  for (const auto& e : endpoint_keys)
    if (e.key == k) return &e;
  return nullptr;
}

}  // namespace

std::span<const node_key> webhook_endpoint_keys() {
  return endpoint_keys;
}

void read_webhook_endpoints(const yaml_node& node, read_context& ctx,
                            std::vector<webhook_endpoint_settings>& out) {
  const std::string base = "receivers.webhooks.endpoints";
  if (node.is_null()) return;
  if (!node.is_sequence()) {
    ctx.error(node, base,
              "expected a list of endpoints (mappings with path, auth, message...), got " +
                  std::string(describe_kind(node.type)));
    return;
  }
  if (node.items.size() > max_endpoints) {
    ctx.error(node, base, "more than " + std::to_string(max_endpoints) + " endpoints");
    return;
  }
  std::vector<std::string> names;
  for (const auto& k : endpoint_keys) names.emplace_back(k.key);
  std::vector<webhook_endpoint_settings> result;
  std::set<std::string> paths;
  const auto errors_before = ctx.error_count();
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const yaml_node& item = node.items[i];
    const std::string at = base + "[" + std::to_string(i) + "]";
    if (!item.is_mapping()) {
      ctx.error(item, at,
                "expected an endpoint (a mapping with path...), got " +
                    std::string(describe_kind(item.type)));
      continue;
    }
    webhook_endpoint_settings ep;
    ep.where = ctx.where(item);
    bool has_path = false;
    ctx.for_each_entry(
        item, at, [&](const std::string& key, const yaml_node& k, const yaml_node& v) {
          const std::string kp = at + "." + key;
          if (!find_key(key)) {
            ctx.error(k, kp, unknown_key_message(key, names));
            return;
          }
          if (key == "fields") {
            if (v.is_null()) return;
            if (!v.is_mapping()) {
              ctx.error(v, kp,
                        "expected a mapping of field name to JSON path, got " +
                            std::string(describe_kind(v.type)));
              return;
            }
            ctx.for_each_entry(
                v, kp, [&](const std::string& fname, const yaml_node&, const yaml_node& fv) {
                  std::string spec;
                  if (!ctx.scalar(fv, kp + "." + fname, "a JSON path or template", spec)) return;
                  if (ep.fields.size() >= max_mapped_fields) {
                    ctx.error(fv, kp, "more than " + std::to_string(max_mapped_fields) + " fields");
                    return;
                  }
                  ep.fields.emplace_back(fname, std::move(spec));
                });
            return;
          }
          std::string text;
          if (!ctx.scalar(v, kp, "a value", text)) return;
          if (key == "path") {
            has_path = true;
            if (text.empty() || text.front() != '/' || text.find('?') != std::string::npos ||
                text.find('#') != std::string::npos || text.size() > 1024) {
              ctx.error(v, kp,
                        "expected a URL path starting with '/' (no query), got " +
                            quote_for_message(text));
            } else if (!paths.insert(text).second) {
              ctx.error(v, kp, "path " + quote_for_message(text) + " is used by two endpoints");
            } else {
              ep.path = std::move(text);
            }
          } else if (key == "source") {
            if (!is_valid_name(text))
              ctx.error(v, kp, "expected a source actor name, got " + quote_for_message(text));
            else
              ep.source = std::move(text);
          } else if (key == "auth") {
            if (text != "none" && text != "bearer" && text != "hmac")
              ctx.error(v, kp, "expected one of none|bearer|hmac, got " + quote_for_message(text));
            else
              ep.auth = std::move(text);
          } else if (key == "flatten") {
            if (!parse_bool(text, ep.flatten))
              ctx.error(v, kp, "expected true or false, got " + quote_for_message(text));
          } else if (key == "token") {
            ep.token = std::move(text);
          } else if (key == "secret") {
            ep.secret = std::move(text);
          } else if (key == "signature_header") {
            ep.signature_header = std::move(text);
          } else if (key == "records") {
            ep.records = std::move(text);
          } else if (key == "message") {
            ep.message = std::move(text);
          } else if (key == "host") {
            ep.host = std::move(text);
          } else if (key == "app") {
            ep.app = std::move(text);
          } else if (key == "user") {
            ep.user = std::move(text);
          } else if (key == "severity") {
            ep.severity = std::move(text);
          } else if (key == "timestamp") {
            ep.timestamp = std::move(text);
          }
        });
    if (!has_path) ctx.error(item, at, "missing required key 'path'");
    if (ep.auth == "bearer" && ep.token.empty())
      ctx.error(item, at + ".token", "auth bearer needs a non-empty token");
    if (ep.auth == "hmac" && ep.secret.empty())
      ctx.error(item, at + ".secret", "auth hmac needs a non-empty secret");
    if (ep.auth == "hmac" && ep.signature_header.empty())
      ctx.error(item, at + ".signature_header", "auth hmac needs a signature header name");
    result.push_back(std::move(ep));
  }
  if (ctx.error_count() == errors_before) out = std::move(result);
}

}  // namespace seerflow::config
