#include "runtime/otlp/decoded_export.hpp"

namespace seerflow::otlp {

void decoded_export::reject(std::string_view reason, std::string detail) {
  ++rejected;
  bool found = false;
  for (auto& [r, n] : rejected_by_reason)
    if (r == reason) {
      ++n;
      found = true;
      break;
    }
  if (!found) rejected_by_reason.emplace_back(std::string(reason), 1);
  if (first_rejection.empty()) first_rejection = std::string(reason) + ": " + std::move(detail);
}

void decoded_export::fail(std::string reason, std::string detail) {
  ok = false;
  events.clear();
  error_reason = std::move(reason);
  error_detail = std::move(detail);
}

}  // namespace seerflow::otlp
