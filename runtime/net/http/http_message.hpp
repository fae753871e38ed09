#pragma once
// The request and response as handlers see them: plain strings, no Beast types, so a handler's
// translation unit (webhooks, OTLP/HTTP, the console API) stays light. The server converts at the
// edge (http_server.cpp).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace seerflow::net::http {

struct request {
  std::string method;  // "POST", as sent
  std::string target;  // "/hooks/github?x=1", as sent
  std::string path;    // the target up to '?'
  std::string query;   // after '?', undecoded ("" if none)
  // Header names lower-cased; values as sent. Repeated headers stay separate entries.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string peer;             // "127.0.0.1:40112"
  std::int64_t arrival_ns = 0;  // wall clock when the header was complete
  bool tls = false;

  // The first value of a header (name compared case-insensitively), or nullptr.
  const std::string* header(std::string_view name) const;
};

struct response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers ("Retry-After")
  bool close = false;  // close the connection after this response
};

// A short plain-text response whose body ends in a newline (curl prints it as one line).
response text_response(int status, std::string_view text);

// A JSON response; `json` is sent as given.
response json_response(int status, std::string json);

// ASCII case-insensitive equality, for header names and tokens.
bool iequals(std::string_view a, std::string_view b);

}  // namespace seerflow::net::http
