#include "runtime/correlate/watermark.hpp"

namespace seerflow::correlate {

bool watermark::observe(std::int64_t t) {
  if (empty_) {
    empty_ = false;
    newest_ns_ = t;
    return false;
  }
  const bool late = t < value();
  if (t > newest_ns_) newest_ns_ = t;
  return late;
}

std::int64_t watermark::value() const {
  if (empty_) return std::numeric_limits<std::int64_t>::min();
  std::int64_t v;
  if (__builtin_sub_overflow(newest_ns_, lateness_ns_, &v))
    return std::numeric_limits<std::int64_t>::min();
  return v;
}

}  // namespace seerflow::correlate
