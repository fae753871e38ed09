#pragma once
// OTLP/protobuf: the bytes of an ExportLogsServiceRequest (an HTTP body, already gunzipped) into
// events. A request libprotobuf cannot parse fails as a whole ("bad_protobuf"); records inside a
// readable request are accepted or rejected one by one (see request_mapper.hpp). Never throws.
#include <cstdint>
#include <string>
#include <string_view>

#include "runtime/otlp/decode_limits.hpp"
#include "runtime/otlp/decoded_export.hpp"

namespace seerflow::otlp {

decoded_export decode_protobuf(std::string_view bytes, const decode_limits& limits,
                               std::int64_t arrival_ns, const std::string& peer);

}  // namespace seerflow::otlp
