#include "runtime/store/json_text.hpp"

#include "runtime/util/utf8.hpp"

namespace seerflow::store {

namespace {

// Which bytes cannot appear raw inside a JSON string: C0 controls, '"' and '\\'.
constexpr bool needs_escape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\';
}

void append_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::size_t run = 0;  // start of the pending run of bytes copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
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
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        out.append(u, 6);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  if (util::is_valid_utf8(s)) {
    append_escaped(out, s);
  } else {
    std::string repaired(s);
    util::repair_utf8(repaired);
    append_escaped(out, repaired);
  }
  out.push_back('"');
}

void write_json_array(std::string& out, const std::vector<std::string>& items) {
  out.clear();
  if (items.empty()) return;
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, items[i]);
  }
  out.push_back(']');
}

void write_json_object(std::string& out, const std::vector<model::field>& fields) {
  out.clear();
  if (fields.empty()) return;
  out.push_back('{');
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(out, fields[i].key);
    out.push_back(':');
    append_json_string(out, fields[i].value);
  }
  out.push_back('}');
}

std::array<char, 36> format_uuid(const model::uuid& id) {
  static constexpr char hex[] = "0123456789abcdef";
  std::array<char, 36> out{};
  std::size_t o = 0;
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = hex[id[i] >> 4];
    out[o++] = hex[id[i] & 0xF];
  }
  return out;
}

void write_alert_entities(std::string& out, const std::vector<model::entity_ref>& entities) {
  out.clear();
  for (const auto& e : entities) {
    out += out.empty() ? "[" : ",";
    out += "{\"type\":";
    append_json_string(out, model::to_string(e.type));
    out += ",\"value\":";
    append_json_string(out, e.value);
    out += ",\"id\":\"";
    const auto uuid = format_uuid(e.id);
    out.append(uuid.data(), uuid.size());
    out += "\"}";
  }
  if (!out.empty()) out += ']';
}

void write_int_array(std::string& out, const std::vector<std::uint64_t>& values) {
  out.clear();
  for (const auto v : values) {
    out += out.empty() ? "[" : ",";
    out += std::to_string(v);
  }
  if (!out.empty()) out += ']';
}

}  // namespace seerflow::store
