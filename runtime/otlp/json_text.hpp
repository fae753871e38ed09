#pragma once
// Small writers for the JSON the OTLP code produces: structured bodies rendered as text and the
// OTLP/JSON response. Bytes that are not valid UTF-8 pass through unchanged (the source pipeline
// repairs message and field text); control characters are escaped.
#include <string>
#include <string_view>

namespace seerflow::otlp {

void append_json_string(std::string& out, std::string_view s);
// Shortest text that reads back to the same double. Non-finite values have no JSON number form:
// as protobuf's JSON mapping does, they are written "NaN", "Infinity", "-Infinity" (quoted when
// `quoted`).
void append_json_double(std::string& out, double v, bool quoted);
// Standard base64 with padding (RFC 4648), as OTLP/JSON writes bytes values.
void append_base64(std::string& out, std::string_view bytes);
// Decodes standard or URL-safe base64, padding optional. False on any other character.
bool decode_base64(std::string_view text, std::string& out);

}  // namespace seerflow::otlp
