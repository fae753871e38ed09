#include "runtime/otlp/protobuf_decoder.hpp"

#include <climits>

#include <google/protobuf/arena.h>

#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"
#include "runtime/otlp/request_mapper.hpp"

namespace seerflow::otlp {

decoded_export decode_protobuf(std::string_view bytes, const decode_limits& limits,
                               std::int64_t arrival_ns, const std::string& peer) {
  decoded_export out;
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    out.fail("oversized", "request of " + std::to_string(bytes.size()) + " bytes");
    return out;
  }
  // One arena per request: the parsed tree is freed in one go, not node by node.
  google::protobuf::Arena arena;
  auto* req = google::protobuf::Arena::CreateMessage<export_request>(&arena);
  if (!req->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    out.fail("bad_protobuf", "the body is not an OTLP ExportLogsServiceRequest (" +
                                 std::to_string(bytes.size()) + " bytes)");
    return out;
  }
  map_request(*req, limits, arrival_ns, peer, out);
  return out;
}

}  // namespace seerflow::otlp
