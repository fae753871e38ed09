#pragma once
// The result of decoding one OTLP ExportLogsServiceRequest, whatever its encoding: the events of
// the records that were accepted, and what was rejected and why. `ok` false means the request as
// a whole could not be read (nothing in it is accepted).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runtime/model/event.hpp"

namespace seerflow::otlp {

struct decoded_export {
  bool ok = true;
  std::string error_reason;  // ok == false: "bad_protobuf", "bad_json", "too_deep", ...
  std::string error_detail;  // human-readable, for the response and the log
  std::vector<model::event> events;
  std::uint64_t rejected = 0;  // records not accepted (OTLP's rejected_log_records)
  // Per reason ("no_body", "oversized", "bad_trace_id", ...), in the order first seen.
  std::vector<std::pair<std::string, std::uint64_t>> rejected_by_reason;
  std::string first_rejection;  // "record 3: no_body: ..." for partial_success.error_message

  void reject(std::string_view reason, std::string detail);
  void fail(std::string reason, std::string detail);
};

}  // namespace seerflow::otlp
