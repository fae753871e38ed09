#pragma once
// What an OTLP server answers, in the encoding of the request: an ExportLogsServiceResponse
// (with partial_success when records were rejected) or, for a request refused as a whole, a
// google.rpc.Status as OTLP/HTTP asks for error bodies.
#include <string>

#include "runtime/otlp/decoded_export.hpp"

namespace seerflow::otlp {

enum class body_encoding { protobuf, json };

// "2 log records rejected (no_body: 1, oversized: 1); first: log record 4: ..." (bounded), or
// empty when nothing was rejected.
std::string rejection_summary(const decoded_export& d);

std::string encode_response(const decoded_export& d, body_encoding enc);
// google.rpc.Status {code, message}; `code` is a gRPC status code (3 invalid argument, 8
// resource exhausted, 14 unavailable).
std::string encode_status(int code, const std::string& message, body_encoding enc);

}  // namespace seerflow::otlp
