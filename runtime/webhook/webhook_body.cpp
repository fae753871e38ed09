#include "runtime/webhook/webhook_body.hpp"

#include <nlohmann/json.hpp>

#include "runtime/net/http/http_message.hpp"

namespace seerflow::webhook {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "application/json; charset=utf-8" -> "application/json", trimmed.
std::string_view media_type(std::string_view ct) {
  ct = ct.substr(0, ct.find(';'));
  while (!ct.empty() && (ct.front() == ' ' || ct.front() == '\t')) ct.remove_prefix(1);
  while (!ct.empty() && (ct.back() == ' ' || ct.back() == '\t')) ct.remove_suffix(1);
  return ct;
}

bool is_json_type(std::string_view mt) {
  using net::http::iequals;
  if (iequals(mt, "application/json") || iequals(mt, "text/json")) return true;
  // application/vnd.github+json, application/cloudevents+json, ...
  return mt.size() > 5 && iequals(mt.substr(mt.size() - 5), "+json") &&
         iequals(mt.substr(0, 12), "application/");
}

}  // namespace

bool form_decode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

std::optional<body_error> payload_json(std::string_view content_type, std::string_view body,
                                       std::string& json_out) {
  const auto mt = media_type(content_type);
  if (mt.empty() || is_json_type(mt)) {
    json_out.assign(body);
    return std::nullopt;
  }
  if (!net::http::iequals(mt, "application/x-www-form-urlencoded"))
    return body_error{415, "bad_content_type",
                      "content type '" + std::string(mt.substr(0, 100)) +
                          "' is not read; send application/json or "
                          "application/x-www-form-urlencoded"};
  nlohmann::json obj = nlohmann::json::object();
  std::string key, value;
  std::size_t start = 0;
  while (start <= body.size()) {
    auto end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    const auto pair = body.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) {
      if (end == body.size()) break;
      continue;
    }
    const auto eq = pair.find('=');
    if (!form_decode(pair.substr(0, eq), key) ||
        !form_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1),
                     value))
      return body_error{400, "bad_form", "bad %-escape in the form body"};
    if (key == "payload") {
      json_out = std::move(value);
      return std::nullopt;
    }
    // Invalid UTF-8 in a value is replaced when the object is written out below.
    obj[key] = value;
    if (end == body.size()) break;
  }
  json_out = obj.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return std::nullopt;
}

}  // namespace seerflow::webhook
