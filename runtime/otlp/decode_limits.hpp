#pragma once
// Bounds applied to every OTLP log record while it becomes an event, so that one hostile record
// is rejected on its own (counted with its reason) and the records around it are kept.
#include <cstddef>

namespace seerflow::otlp {

struct decode_limits {
  std::size_t max_record = 65536;  // bytes of the body text and of any one field value
  std::size_t max_fields = 512;    // fields per event after flattening (attributes + resource...)
  int max_depth = 16;              // nesting flattened to dotted keys; deeper stays JSON text
};

}  // namespace seerflow::otlp
