#pragma once
// Why a record could not be decoded. `reason` is a short stable identifier (used as a metric
// label and stored with the record); `detail` explains it to a human.
#include <string>
#include <string_view>

namespace seerflow::parse {

struct rejection {
  std::string_view reason;  // always points at a string literal
  std::string detail;
};

}  // namespace seerflow::parse
