#pragma once
// The NDJSON shapes of events, rejected records and alerts: what `seerflow analyze` prints and
// golden files compare. Stable key order; absent values are omitted rather than null, so lines
// stay short and diffs stay readable. Changing a shape means regenerating the golden files.
#include <string>

#include "runtime/model/alert.hpp"
#include "runtime/model/event.hpp"
#include "runtime/model/raw_record.hpp"

namespace seerflow::output {

std::string event_line(const model::event& ev);
std::string rejected_line(const model::rejected_record& r);
std::string alert_line(const model::alert& a);

// Template ids print as 16 lowercase hex digits.
std::string template_id_hex(std::uint64_t id);

}  // namespace seerflow::output
