#pragma once
// The JSON text inside a webhook request body, by content type: JSON as it is; a form
// (application/x-www-form-urlencoded) either carries the JSON in its `payload` parameter (what
// GitHub sends for "Content type: application/x-www-form-urlencoded") or is itself the record,
// its parameters becoming string members. A missing content type is read as JSON.
#include <optional>
#include <string>
#include <string_view>

namespace seerflow::webhook {

struct body_error {
  int status = 400;    // 415 for a content type we do not read
  std::string reason;  // "bad_content_type", "bad_form"
  std::string detail;
};

std::optional<body_error> payload_json(std::string_view content_type, std::string_view body,
                                       std::string& json_out);

// Decodes one x-www-form-urlencoded component ('+' is a space, %XX a byte); false on a bad
// escape.
bool form_decode(std::string_view in, std::string& out);

}  // namespace seerflow::webhook
