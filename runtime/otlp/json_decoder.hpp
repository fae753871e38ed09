#pragma once
// OTLP/JSON (the protobuf JSON mapping with OTLP's exceptions): lowerCamelCase keys (the
// original snake_case names are accepted too), trace and span ids as hex, 64-bit integers as
// strings or numbers, severityNumber as a number or its enum name, bytes as base64, unknown keys
// ignored, null read as absent. The text is read once, left to right (json_reader.hpp), straight
// into an arena-allocated ExportLogsServiceRequest that request_mapper turns into events: no
// document tree, so decoding costs about what parsing does.
//
// Text that is not JSON (strict RFC 8259: UTF-8 only, no lone surrogates, nothing after the
// value) fails the request as "bad_json"; nesting deeper than max_json_depth as "too_deep"; a
// wrongly typed request, resource or scope as "bad_json". A wrongly typed log record is rejected
// on its own ("bad_record", "bad_trace_id", "bad_span_id") and the others continue into
// request_mapper. A member repeated in one object adds to repeated fields and overwrites
// scalars, as protobuf's binary merge does. Never throws; recursion is bounded by the depth limit.
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
