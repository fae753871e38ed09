#include "runtime/net/http/http_message.hpp"

namespace seerflow::net::http {

namespace {
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

const std::string* request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (iequals(k, name)) return &v;
  return nullptr;
}

response text_response(int status, std::string_view text) {
  response r;
  r.status = status;
  r.body.assign(text);
  r.body += '\n';
  return r;
}

response json_response(int status, std::string json) {
  response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(json);
  return r;
}

}  // namespace seerflow::net::http
