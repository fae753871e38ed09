#pragma once
// OTLP/JSON (the protobuf JSON mapping with OTLP's exceptions): lowerCamelCase keys (the
// original snake_case names are accepted too), trace and span ids as hex, 64-bit integers as
// strings or numbers, severityNumber as a number or its enum name, bytes as base64, unknown keys
// ignored. Text that is not JSON, nesting deeper than max_json_depth, or a wrongly typed
// request, resource or scope fails the whole request ("bad_json", "too_deep"); a wrongly typed
// log record is rejected on its own ("bad_record", "bad_trace_id", "bad_span_id") and the others
// continue into request_mapper. Never throws.
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/otlp/decode_limits.hpp"
#include "runtime/otlp/decoded_export.hpp"

namespace seerflow::otlp {

inline constexpr int max_json_depth = 128;

decoded_export decode_json(std::string_view text, const decode_limits& limits,
                           std::int64_t arrival_ns, const std::string& peer);

}  // namespace seerflow::otlp
